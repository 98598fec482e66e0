import express, { type Request, type Response, type NextFunction, type Router } from 'express';
import { getDistDirectory, renderAltair } from 'altair-static';

const IDE_ASSETS = '/graphql/ide/';

const FIRST_QUERY = `# Welcome to coach-gateway.
# 1. Run "Login" (the demo user comes with the embedded database).
# 2. Copy accessToken into the Authorization header: Bearer <token>.
# 3. Run "Me".
# Subscriptions travel over the WebSocket, which carries no headers: put the token in
# Request Handlers (the plug icon) > Connection Parameters: {"authorization": "Bearer <token>"}.

mutation Login {
  login(input: { username: "demo", password: "demo-password-1" }) {
    accessToken
    refreshToken
    user { id username role }
  }
}

query Me {
  me { id username email role createdAt }
  authSessions { id userAgent lastSeenAt current }
}
`;

/** The Altair IDE, served entirely by the gateway: it works with no internet. */
export function ideRouter(): Router {
  const router = express.Router();
  router.use(IDE_ASSETS, express.static(getDistDirectory(), { index: false, maxAge: '1h' }));
  router.get('/graphql', (req: Request, res: Response, next: NextFunction) => {
    const wantsHtml = req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
    if (!wantsHtml || req.query.query !== undefined) return next();
    const wsProtocol = req.protocol === 'https' ? 'wss' : 'ws';
    res.type('html').send(
      renderAltair({
        baseURL: IDE_ASSETS,
        endpointURL: '/graphql',
        subscriptionsEndpoint: `${wsProtocol}://${req.get('host')}/graphql`,
        initialSubscriptionRequestHandlerId: 'graphql-ws',
        initialQuery: FIRST_QUERY,
        initialHeaders: { Authorization: 'Bearer <paste accessToken here>' },
        disableAccount: true,
        initialName: 'coach-gateway',
      }),
    );
  });
  return router;
}
