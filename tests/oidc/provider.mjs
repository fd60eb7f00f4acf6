// A real OpenID provider for the tests: oidc-provider (the certified Node.js implementation),
// installed by scripts/test under target/oidc. Any login name signs in (its development
// interactions), as a person whose email is that name: `sub` is stable per name, and names
// starting with "unverified" have an unverified email. A name "upn-only:NAME" signs in as Entra
// ID does: NAME as `upn`, no email. Everyone is in the groups "alla" and "lisa-" + the part of
// the name before @. Two clients: Lisa's and another one. Prints "ready" when it listens.
import { generateKeyPairSync, sign } from 'node:crypto';
import { pathToFileURL } from 'node:url';

// Installed under target/, not beside this file: found by the folder the test names.
const { default: Provider } = await import(pathToFileURL(`${process.env.OIDC_PROVIDER_DIR}/lib/index.js`).href);

// A provider whose clock runs behind (CLOCK_OFFSET_SECONDS) issues tokens that expired before
// they reached Lisa: how the tests make an expired ID token.
const offset = Number(process.env.CLOCK_OFFSET_SECONDS || 0) * 1000;
if (offset) {
  const realNow = Date.now;
  Date.now = () => realNow() + offset;
}

// The provider's signing key, made here so that a test can also sign a token the provider
// would not issue: ID_TOKEN_AUDIENCE replaces the audience of every ID token it hands out.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };
const forcedAudience = process.env.ID_TOKEN_AUDIENCE;

function withAudience(idToken, audience) {
  const [header, payload] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url'));
  claims.aud = audience;
  const body = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${sign('sha256', Buffer.from(body), privateKey).toString('base64url')}`;
}

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const redirect = process.env.REDIRECT_URI;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'lisa',
      client_secret: 'lisa-client-secret-for-tests',
      redirect_uris: [redirect],
      post_logout_redirect_uris: [process.env.POST_LOGOUT_URI],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    {
      client_id: 'another-app',
      client_secret: 'another-client-secret-for-tests',
      redirect_uris: [redirect],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [signingKey] },
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'upn', 'groups'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  ttl: { IdToken: 600, Interaction: 86400 },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        const groups = ['alla', `lisa-${id.replace(/^upn-only:/, '').split('@')[0]}`];
        if (id.startsWith('upn-only:')) {
          const upn = id.slice('upn-only:'.length);
          return { sub: `sub-${id}`, upn, name: upn, groups };
        }
        return { sub: `sub-${id}`, email: id, email_verified: !id.startsWith('unverified'), name: id, groups };
      },
    };
  },
  // First-party: no consent screen, as a municipality configures its own Lisa.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
});

if (forcedAudience) {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.body?.id_token) {
      ctx.body = { ...ctx.body, id_token: withAudience(ctx.body.id_token, forcedAudience) };
    }
  });
}

provider.listen(port, '127.0.0.1', () => console.log('ready'));
