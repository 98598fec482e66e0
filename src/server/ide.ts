import express, { type Request, type Response, type NextFunction, type RequestHandler, type Router } from 'express';

/** Loaded on the first IDE request, not at start: most starts never serve the IDE. */
const loadAltair = (() => {
  let altair: ReturnType<typeof importAltair> | undefined;
  return () => (altair ??= importAltair());
})();
function importAltair() {
  return import('altair-static');
}

const IDE_ASSETS = '/graphql/ide/';

const FIRST_QUERY = `# Welcome to coach-gateway.
# 1. Run "Login" (the demo user comes with the embedded database). A post-request script
#    stores the accessToken in the environment "coach-gateway" as {{accessToken}}.
# 2. Run "Me": every request sends "Authorization: Bearer {{accessToken}}", and
#    subscriptions send it in their connection parameters. Nothing to copy.
# 3. Open "Docs" (top right) to read what every type and field means.
# When the token expires (15 minutes), run Login again.

mutation Login {
  login(input: { username: "demo", password: "demo-password-1" }) {
    accessToken
    accessTokenExpiresAt
    user { id username role }
  }
}

query Me {
  me { id username email role createdAt }
  authSessions { id userAgent lastSeenAt current }
}

subscription MySessions {
  authSessionEvents { kind sessionId at }
}
`;

/** The environment the IDE opens with; the post-request script fills it. */
const ENVIRONMENT_ID = 'coach-gateway';

/**
 * Runs after every request (Altair's request-script sandbox): a login, register or refresh
 * answer puts its tokens into the active environment, which the headers and connection params read.
 */
const STORE_TOKENS = `const body = typeof altair.response.body === 'string' ? JSON.parse(altair.response.body || '{}') : altair.response.body;
const data = (body && body.data) || {};
const auth = data.login || data.register || data.refreshSession;
if (auth && auth.accessToken) {
  altair.helpers.setEnvironment('accessToken', auth.accessToken, true);
  if (auth.refreshToken) altair.helpers.setEnvironment('refreshToken', auth.refreshToken, true);
  altair.log('Signed in: {{accessToken}} is set for the headers and the subscription connection.');
}`;

/** The Altair IDE, served entirely by the gateway: it works with no internet. */
export function ideRouter(): Router {
  const router = express.Router();
  let assets: RequestHandler | undefined;
  router.use(IDE_ASSETS, (req: Request, res: Response, next: NextFunction) => {
    if (assets) return assets(req, res, next);
    loadAltair().then(({ getDistDirectory }) => {
      assets ??= express.static(getDistDirectory(), { index: false, maxAge: '1h' });
      assets(req, res, next);
    }, next);
  });
  router.get('/graphql', (req: Request, res: Response, next: NextFunction) => {
    const wantsHtml = req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html';
    if (!wantsHtml || req.query.query !== undefined) return next();
    const wsProtocol = req.protocol === 'https' ? 'wss' : 'ws';
    loadAltair().then(({ renderAltair }) => {
      res.type('html').send(
        renderAltair({
          baseURL: IDE_ASSETS,
          endpointURL: '/graphql',
          subscriptionsEndpoint: `${wsProtocol}://${req.get('host')}/graphql`,
          initialSubscriptionRequestHandlerId: 'graphql-ws',
          initialQuery: FIRST_QUERY,
          initialHeaders: { Authorization: 'Bearer {{accessToken}}' },
          initialSubscriptionsPayload: { authorization: 'Bearer {{accessToken}}' },
          initialPostRequestScript: STORE_TOKENS,
          initialEnvironments: {
            activeSubEnvironment: ENVIRONMENT_ID,
            subEnvironments: [{ id: ENVIRONMENT_ID, title: 'coach-gateway', variables: { accessToken: '', refreshToken: '' } }],
          },
          // No upsell or update banners: this is a local tool.
          initialSettings: { 'banners.disable': true, 'alert.disableUpdateNotification': true, disablePushNotification: true },
          disableAccount: true,
          initialName: 'coach-gateway',
        }),
      );
    }, next);
  });
  return router;
}
