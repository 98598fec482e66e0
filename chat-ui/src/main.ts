import { createApi, tokens } from './api.js';
import { h } from './dom.js';
import { followRun, followSession, type Following } from './follow.js';
import {
  ChatCancelTransferDocument,
  ChatConfirmTransferDocument,
  ChatCreateSessionDocument,
  ChatEditDocument,
  ChatRegenerateDocument,
  ChatSwitchBranchDocument,
  ChatLoginDocument,
  ChatRefreshDocument,
  ChatSendDocument,
  ChatSessionDocument,
  ChatSessionsDocument,
  ChatStopDocument,
  type ChatDraftFragment,
  type ChatMessageFragment,
  type ConversationType,
} from './generated/graphql.js';
import { historyBubble, type BranchActions } from './branch-controls.js';
import { RunView } from './run-view.js';

/** What the gateway tells the page: the demo credentials when the demo data is seeded. */
interface PageConfig {
  demo: { username: string; password: string } | null;
}

const TYPES: ConversationType[] = ['GENERAL', 'COACHING', 'JOURNALING', 'PLANNING', 'REFLECTION'];
const root = document.getElementById('app')!;
const connection = h('span', { class: 'connection', 'data-testid': 'connection', text: 'idle' });
const api = createApi((state) => {
  connection.textContent = state === 'connected' ? 'live' : 'offline: reconnecting';
  connection.dataset.state = state;
});

const errorBar = h('div', { class: 'error', 'data-testid': 'error' });
const showError = (error: unknown) => {
  errorBar.textContent = error instanceof Error ? error.message : String(error);
};

let renewing: Promise<void> | undefined;

/** One refresh at a time (tabs share the tokens; a refresh token works once): signs out when it fails. */
function renew(): Promise<void> {
  renewing ??= (async () => {
    const refreshToken = tokens.refresh;
    if (!refreshToken) return;
    try {
      const result = await api.client.mutate({ mutation: ChatRefreshDocument, variables: { refreshToken } });
      if (result.data) tokens.store(result.data.refreshSession);
    } catch {
      // Another tab may have rotated it first: its tokens are already stored.
      if (tokens.refresh === refreshToken) {
        tokens.clear();
        location.reload();
      }
    }
  })().finally(() => (renewing = undefined));
  return renewing;
}

/** Before a subscription retries: a fresh token if that was what it lacked. */
async function renewIfExpired(error: unknown): Promise<void> {
  const text = error instanceof Error ? error.message : JSON.stringify(error ?? '');
  if (/4401|4403|UNAUTHENTICATED|expired/i.test(text)) await renew();
}

/** Access tokens live 15 minutes: refreshed a minute before they expire, so requests never meet an expired one. */
function keepSignedIn(): void {
  const due = Math.max(5_000, tokens.expiresAt - Date.now() - 60_000);
  setTimeout(() => void renew().finally(keepSignedIn), due);
}

function signInView(config: PageConfig): HTMLElement {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, value: config.demo?.username ?? '' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, value: config.demo?.password ?? '' });
  const form = h(
    'form',
    { class: 'sign-in', 'data-testid': 'sign-in' },
    h('h1', { text: 'coach-gateway chat' }),
    h('p', { class: 'hint', text: config.demo ? 'The demo user is filled in: press Sign in.' : 'Sign in with your username or email.' }),
    h('label', {}, 'Username', username),
    h('label', {}, 'Password', password),
    h('button', { type: 'submit', text: 'Sign in' }),
    errorBar,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api.client
      .mutate({ mutation: ChatLoginDocument, variables: { input: { username: username.value, password: password.value } } })
      .then((result) => {
        if (!result.data) throw new Error('Sign-in failed');
        tokens.store(result.data.login);
        void showChat();
      })
      .catch(showError);
  });
  return form;
}

async function showChat(): Promise<void> {
  errorBar.textContent = '';
  keepSignedIn();
  const sessionList = h('ul', { class: 'sessions', 'data-testid': 'sessions' });
  const messages = h('div', { class: 'messages', 'data-testid': 'messages' });
  const draft = h('aside', { class: 'draft', 'data-testid': 'draft', hidden: true });
  const input = h('textarea', { 'data-testid': 'input', placeholder: 'Write a message', rows: '2', disabled: true });
  const send = h('button', { type: 'submit', 'data-testid': 'send', text: 'Send', disabled: true });
  const composer = h('form', { class: 'composer' }, input, send);
  const title = h('h2', { 'data-testid': 'session-title', text: 'Choose or start a conversation' });

  let current: { id: string; follows: Following[]; runs: Map<string, RunView> } | undefined;

  const renderDraft = (value: ChatDraftFragment | null | undefined) => {
    draft.hidden = !value;
    draft.replaceChildren(
      h('h3', { text: 'Journal draft' }),
      ...(value?.sections ?? []).map((s) => h('section', {}, h('h4', { text: s.name }), h('p', { text: s.content || '—' }))),
    );
  };
  const bubble = (m: ChatMessageFragment) => h('div', { class: `message ${m.role.toLowerCase()}`, text: m.content });

  const actions = {
    stop: async (runId: string) => void (await api.client.mutate({ mutation: ChatStopDocument, variables: { id: runId } })),
    confirm: async (id: string) => (await api.client.mutate({ mutation: ChatConfirmTransferDocument, variables: { id } })).data!.confirmTransfer,
    cancel: async (id: string) => (await api.client.mutate({ mutation: ChatCancelTransferDocument, variables: { id } })).data!.cancelTransfer,
    draft: renderDraft,
  };

  /** Shows a run and follows it from the start (a run replays from seq 1), once per run. */
  const follow = (runId: string) => {
    const session = current;
    if (!session || session.runs.has(runId)) return;
    const view = new RunView(runId, actions);
    session.runs.set(runId, view);
    messages.append(view.element);
    session.follows.push(
      followRun(
        api.client,
        runId,
        0,
        (event) => {
          // A regenerated answer's question is already on the page.
          if (event.__typename === 'RunStarted' && !messages.querySelector(`[data-message-id="${event.userMessage.id}"]`))
            view.element.prepend(bubble(event.userMessage));
          view.apply(event);
          messages.scrollTop = messages.scrollHeight;
        },
        renewIfExpired,
      ),
    );
  };

  const open = async (id: string) => {
    for (const f of current?.follows ?? []) f.stop();
    current = { id, follows: [], runs: new Map() };
    const { data } = await api.client.query({ query: ChatSessionDocument, variables: { id } });
    const session = data!.chatSession;
    title.textContent = `${session.title ?? 'Untitled'} · ${session.conversationType.toLowerCase()}`;
    const active = session.activeRun?.id;
    // The unfinished run's messages come back through its replay.
    messages.replaceChildren(
      ...session.messages.edges
        .map((e) => e.node)
        .filter((m) => !active || m.runId !== active)
        .map((m) => historyBubble(m, branch)),
    );
    renderDraft(session.conversationType === 'JOURNALING' ? session.draft : null);
    for (const li of Array.from(sessionList.children)) li.classList.toggle('active', (li as HTMLElement).dataset.sessionId === id);
    input.disabled = send.disabled = false;
    if (active) follow(active);
    // Other tabs: a run started elsewhere shows up here too.
    current.follows.push(followSession(api.client, id, (event) => follow(event.runId), renewIfExpired));
  };

  /** Every branch move reloads the session: the server keeps the active branch, the page shows it. */
  const branchThen = (work: (sessionId: string) => Promise<unknown>) => {
    const id = current?.id;
    if (id)
      void work(id)
        .then(() => open(id))
        .catch(showError);
  };
  const branch: BranchActions = {
    switchTo: (messageId) => branchThen(() => api.client.mutate({ mutation: ChatSwitchBranchDocument, variables: { messageId } })),
    regenerate: (messageId) => branchThen(() => api.client.mutate({ mutation: ChatRegenerateDocument, variables: { messageId } })),
    edit: (messageId, text) => branchThen(() => api.client.mutate({ mutation: ChatEditDocument, variables: { messageId, text } })),
  };

  const loadSessions = async () => {
    const { data } = await api.client.query({ query: ChatSessionsDocument });
    sessionList.replaceChildren(
      ...data!.chatSessions.edges.map(({ node }) =>
        h(
          'li',
          { 'data-session-id': node.id, class: node.id === current?.id ? 'active' : '', onclick: () => void open(node.id).catch(showError) },
          h('span', { class: 'kind', text: node.conversationType.toLowerCase() }),
          h('span', { text: node.title ?? 'Untitled' }),
        ),
      ),
    );
  };

  const create = async (conversationType: ConversationType) => {
    const { data } = await api.client.mutate({
      mutation: ChatCreateSessionDocument,
      // The header shows the type beside the title: the title says when, not the type again.
      variables: { input: { conversationType, title: `Started ${new Date().toLocaleTimeString()}` } },
    });
    await loadSessions();
    await open(data!.createChatSession.id);
  };

  composer.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || !current) return;
    input.value = '';
    api.client
      .mutate({ mutation: ChatSendDocument, variables: { input: { sessionId: current.id, text, clientMessageId: crypto.randomUUID() } } })
      .then((result) => follow(result.data!.sendMessage.id))
      .catch(showError);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });

  const signOut = h('button', { class: 'link', text: 'Sign out', onclick: () => (tokens.clear(), location.reload()) });
  root.replaceChildren(
    h('header', {}, h('strong', { text: 'coach-gateway chat' }), connection, h('span', { class: 'user', text: tokens.username ?? '' }), signOut),
    h(
      'div',
      { class: 'layout' },
      h(
        'nav',
        {},
        h(
          'div',
          { class: 'new' },
          ...TYPES.map((t) =>
            h('button', { 'data-testid': `new-${t.toLowerCase()}`, text: `+ ${t.toLowerCase()}`, onclick: () => void create(t).catch(showError) }),
          ),
        ),
        sessionList,
      ),
      h('main', {}, title, messages, composer, errorBar),
      draft,
    ),
  );
  await loadSessions().catch(showError);
}

async function boot(): Promise<void> {
  const config = (await fetch('/chat/config.json').then((r) => r.json())) as PageConfig;
  if (tokens.access) await showChat();
  else root.replaceChildren(signInView(config));
}

void boot();
