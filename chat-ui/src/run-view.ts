import { h, json } from './dom.js';
import type { ChatEventFragment, ChatTransferFragment } from './generated/graphql.js';

export interface RunActions {
  stop(runId: string): Promise<void>;
  confirm(transferId: string): Promise<ChatTransferFragment>;
  cancel(transferId: string): Promise<ChatTransferFragment>;
  /** A journaling draft changed. */
  draft(draft: Extract<ChatEventFragment, { __typename: 'DraftUpdated' }>['draft']): void;
}

/** One run of the assistant as the page shows it: thinking trail, tool calls, proposals, the streamed answer, Stop. */
export class RunView {
  readonly element: HTMLElement;
  private readonly steps = h('ol', { class: 'steps' });
  private readonly reasoning = h('pre', { class: 'reasoning' });
  private readonly trail = h('details', { class: 'trail', 'data-testid': 'thinking' }, h('summary', { text: 'Thinking' }), this.steps, this.reasoning);
  private readonly tools = h('div', { class: 'tools' });
  private readonly proposals = h('div', { class: 'proposals' });
  private readonly answer = h('div', { class: 'message assistant streaming', 'data-testid': 'answer' });
  private readonly status = h('div', { class: 'run-status' });
  private readonly stopButton: HTMLButtonElement;

  constructor(
    readonly runId: string,
    private readonly actions: RunActions,
  ) {
    this.stopButton = h('button', { class: 'stop', 'data-testid': 'stop', text: 'Stop', onclick: () => void this.actions.stop(this.runId) });
    this.element = h(
      'div',
      { class: 'run', 'data-run-id': runId },
      this.trail,
      this.tools,
      this.proposals,
      this.answer,
      h('div', { class: 'run-footer' }, this.status, this.stopButton),
    );
  }

  apply(event: ChatEventFragment): void {
    switch (event.__typename) {
      case 'ThinkingStep': {
        const id = `step-${event.stepId}`;
        const existing = this.steps.querySelector<HTMLElement>(`[data-step="${id}"]`);
        const item = h('li', { 'data-step': id, class: event.done ? 'done' : 'working', text: `${event.done ? '✓' : '…'} ${event.label}` });
        if (existing) existing.replaceWith(item);
        else this.steps.append(item);
        this.trail.querySelector('summary')!.textContent = `Thinking (${this.steps.children.length} step${this.steps.children.length === 1 ? '' : 's'})`;
        return;
      }
      case 'ReasoningDelta':
        this.reasoning.textContent += event.delta;
        return;
      case 'ToolCallStarted':
        this.tools.append(
          h(
            'details',
            { class: 'tool', 'data-call': event.callId, 'data-testid': 'tool-call' },
            h('summary', { text: `Tool ${event.tool} …` }),
            h('div', { class: 'label', text: 'arguments' }),
            h('pre', { text: json(event.arguments) }),
          ),
        );
        return;
      case 'ToolCallFinished': {
        const call = this.tools.querySelector<HTMLElement>(`[data-call="${CSS.escape(event.callId)}"]`);
        if (!call) return;
        call.querySelector('summary')!.textContent = `Tool ${event.tool} ${event.ok ? '✓' : '✗'}`;
        call.append(h('div', { class: 'label', text: event.ok ? 'result' : 'error' }), h('pre', { text: json(event.result) }));
        return;
      }
      case 'TokenDelta':
        this.answer.textContent += event.delta;
        return;
      case 'DraftUpdated':
        this.actions.draft(event.draft);
        return;
      case 'TransferProposed':
        this.proposals.append(this.proposal(event.transfer));
        return;
      case 'RunFinished':
        // The streamed text stays: it equals the stored answer (event.finalMessage), token for token.
        this.answer.classList.remove('streaming');
        this.status.textContent = event.status === 'SUCCEEDED' ? '' : `${event.status}${event.error ? `: ${event.error.message}` : ''}`;
        this.stopButton.remove();
        this.element.dataset.finished = event.status;
        return;
      default:
        return;
    }
  }

  private proposal(transfer: ChatTransferFragment): HTMLElement {
    const state = h('div', { class: 'transfer-status', 'data-testid': 'transfer-status', text: transfer.status });
    const card = h(
      'div',
      { class: 'proposal', 'data-testid': 'proposal', 'data-transfer-id': transfer.id },
      h('div', { class: 'amount', text: `${transfer.amount.decimal} ${transfer.amount.currency}` }),
      h('div', { class: 'route', text: `${transfer.fromAccount?.name ?? 'your account'} → ${transfer.toAccount?.name ?? transfer.toAccountNumber}` }),
      state,
    );
    const decide = (action: (id: string) => Promise<ChatTransferFragment>) => async () => {
      buttons.querySelectorAll('button').forEach((b) => (b.disabled = true));
      try {
        const result = await action(transfer.id);
        state.textContent = result.status;
        buttons.remove();
      } catch (error) {
        state.textContent = error instanceof Error ? error.message : String(error);
        buttons.querySelectorAll('button').forEach((b) => (b.disabled = false));
      }
    };
    const buttons = h(
      'div',
      { class: 'buttons' },
      h('button', { class: 'confirm', 'data-testid': 'confirm', text: 'Confirm', onclick: decide(this.actions.confirm) }),
      h('button', { class: 'cancel', 'data-testid': 'cancel', text: 'Cancel', onclick: decide(this.actions.cancel) }),
    );
    if (transfer.status === 'PENDING_CONFIRMATION') card.append(buttons);
    return card;
  }
}
