import { h } from './dom.js';
import type { ChatSessionQuery } from './generated/graphql.js';

type HistoryMessage = ChatSessionQuery['chatSession']['messages']['edges'][number]['node'];

export interface BranchActions {
  switchTo(messageId: string): void;
  regenerate(messageId: string): void;
  edit(messageId: string, text: string): void;
}

/** A stored message with "‹ 2 / 3 ›" when it has siblings, Regenerate on answers and Edit on the user's messages. */
export function historyBubble(m: HistoryMessage, actions: BranchActions): HTMLElement {
  const { index, count, ids } = m.siblings;
  const controls = h('div', { class: 'branch-controls' });
  if (count > 1) {
    controls.append(
      h('button', { class: 'link', 'data-testid': 'sibling-prev', text: '‹', disabled: index === 0, onclick: () => actions.switchTo(ids[index - 1]!) }),
      h('span', { 'data-testid': 'siblings', text: `${index + 1} / ${count}` }),
      h('button', { class: 'link', 'data-testid': 'sibling-next', text: '›', disabled: index === count - 1, onclick: () => actions.switchTo(ids[index + 1]!) }),
    );
  }
  if (m.role === 'ASSISTANT') {
    controls.append(h('button', { class: 'link', 'data-testid': 'regenerate', text: 'Regenerate', onclick: () => actions.regenerate(m.id) }));
  } else if (m.role === 'USER') {
    controls.append(
      h('button', {
        class: 'link',
        'data-testid': 'edit',
        text: 'Edit',
        onclick: () => {
          const text = prompt('Edit your message', m.content)?.trim();
          if (text && text !== m.content) actions.edit(m.id, text);
        },
      }),
    );
  }
  return h('div', { class: `message ${m.role.toLowerCase()}`, 'data-message-id': m.id }, h('div', { text: m.content }), controls);
}
