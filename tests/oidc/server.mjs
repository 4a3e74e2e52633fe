// A real OpenID Connect provider for the single sign-on tests (oidc-provider, development
// interactions: any login name is accepted, and its claims come from ACCOUNTS below).
//
//   node server.mjs PORT REDIRECT_URI
//
// Prints "ready ISSUER" once it listens. The client is "ledger" / "ledger-test-secret".
import Provider from 'oidc-provider';

const [port, redirectUri] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

// The people of the tests: their e-mail, name and directory groups, as Entra ID would send them.
const ACCOUNTS = {
  'anna.ekonom': { email: 'anna.ekonom@karlsborg.se', name: 'Anna Ekonom', groups: ['GG-Telefoni-Ekonomi'] },
  'bo.forskola': { email: 'bo.forskola@karlsborg.se', name: 'Bo Förskola', groups: ['GG-Telefoni-Forskola', 'GG-Alla'] },
  'cecilia.okand': { email: 'cecilia.okand@karlsborg.se', name: 'Cecilia Okänd', groups: ['GG-Alla'] },
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'ledger',
    client_secret: 'ledger-test-secret',
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
  }],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  conformIdTokenClaims: false, // the claims go into the ID token, as Entra ID does
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, email_verified: true, ...account };
      },
    };
  },
  cookies: { keys: ['test-cookie-key-not-a-secret'] },
  features: { devInteractions: { enabled: true } },
});
provider.proxy = false;

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
