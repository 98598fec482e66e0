import { CreateChatSessionDocument, type ConversationType } from '../generated/graphql.js';
import type { Gateway, TestServer } from '../helpers/server.js';
import { createServices } from '../../src/services.js';
import { MessageRole } from '../../src/modules/chat/message.entity.js';

export async function createSession(server: Gateway, token: string, conversationType: ConversationType = 'JOURNALING', title?: string) {
  const data = await server.ok(CreateChatSessionDocument, { input: { conversationType, title } }, { token });
  return data.createChatSession;
}

/** Messages straight through the chat service, without agent runs: long histories in little time. */
export async function appendMessages(server: TestServer, sessionId: string, count: number, text = (i: number) => `message ${i + 1}`) {
  const services = createServices(server.app.deps, server.app.orm.em.fork());
  for (let i = 0; i < count; i++) {
    await services.chat.appendMessage(sessionId, i % 2 === 0 ? MessageRole.USER : MessageRole.ASSISTANT, text(i));
  }
}
