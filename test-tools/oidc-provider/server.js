// A real OpenID Connect provider (panva/oidc-provider) for the browser tests.
//
// Started by tests/e2e/sso_servers.py on a free port:
//   node server.js   with PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI in the environment.
// The sign-in page asks for a user name and whether the user "used a second factor"
// (which sets amr to ["pwd", "mfa"] in the ID token). Test-only control routes:
//   PUT    /test-admin/users/:sub   JSON {email, given_name, family_name, groups: [...]}
//   DELETE /test-admin/users/:sub
// and a directory the periodic check asks (Bearer token from the client_credentials grant):
//   GET    /directory/users/:sub    200 or 404
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const users = new Map();

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const oidc = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [process.env.REDIRECT_URI],
    grant_types: ['authorization_code', 'client_credentials'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  claims: {
    // amr/acr in the openid scope, so the ID token carries them (a provider's MFA statement).
    openid: ['sub', 'amr', 'acr', 'auth_time'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'name', 'preferred_username'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
  },
  pkce: { required: () => true },
  cookies: { keys: ['test-only-cookie-key'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    const user = users.get(sub);
    if (!user) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: user.email,
          email_verified: true,
          given_name: user.given_name,
          family_name: user.family_name,
          name: `${user.given_name} ${user.family_name}`,
          preferred_username: sub,
          groups: user.groups,
        };
      },
    };
  },
  // First-party client: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
});

oidc.use(async (ctx, next) => {
  const path = ctx.path;
  let match;
  if ((match = path.match(/^\/test-admin\/users\/([^/]+)$/))) {
    const sub = decodeURIComponent(match[1]);
    if (ctx.method === 'PUT') {
      users.set(sub, JSON.parse(await readBody(ctx.req)));
    } else if (ctx.method === 'DELETE') {
      users.delete(sub);
    }
    ctx.status = 204;
    return;
  }
  if ((match = path.match(/^\/directory\/users\/([^/]+)$/))) {
    const header = ctx.get('authorization') || '';
    const token = header.startsWith('Bearer ') ? await oidc.ClientCredentials.find(header.slice(7)) : undefined;
    if (!token) { ctx.status = 401; return; }
    const sub = decodeURIComponent(match[1]);
    ctx.status = users.has(sub) ? 200 : 404;
    ctx.body = users.has(sub) ? { id: sub } : { error: 'not_found' };
    return;
  }
  if ((match = path.match(/^\/interaction\/([^/]+)(\/login)?$/))) {
    const details = await oidc.interactionDetails(ctx.req, ctx.res);
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Test IdP sign-in</title></head><body>
<h1>Test identity provider</h1>
<form method="post" action="/interaction/${escape(details.uid)}/login">
<label>User name <input name="login" autocomplete="off"></label>
<label><input type="checkbox" name="mfa" value="1"> Used a second factor</label>
<button type="submit">Sign in at the IdP</button></form></body></html>`;
      return;
    }
    const form = new URLSearchParams(await readBody(ctx.req));
    const login = form.get('login');
    if (!users.has(login)) {
      ctx.status = 400;
      ctx.body = 'unknown user';
      return;
    }
    const amr = form.get('mfa') ? ['pwd', 'mfa'] : ['pwd'];
    await oidc.interactionFinished(ctx.req, ctx.res, { login: { accountId: login, amr } },
      { mergeWithLastSubmission: false });
    return;
  }
  await next();
});

oidc.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});
