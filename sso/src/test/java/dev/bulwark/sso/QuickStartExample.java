package dev.bulwark.sso;

import dev.bulwark.sso.jdbc.JdbcReplayCache;
import dev.bulwark.sso.oidc.AuthorizationStart;
import dev.bulwark.sso.oidc.OidcRelyingParty;
import dev.bulwark.sso.oidc.OidcSignIn;
import dev.bulwark.sso.oidc.PendingAuthorization;
import dev.bulwark.sso.oidc.ProviderMetadata;
import dev.bulwark.sso.saml.IdpMetadata;
import dev.bulwark.sso.saml.SamlRedirect;
import dev.bulwark.sso.saml.SamlServiceProvider;
import dev.bulwark.sso.saml.SentRequest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;

/** The README's quick start, compiled with the tests so that it stays true. Not run. */
final class QuickStartExample {

  static VerifiedIdentity saml(DataSource dataSource, PrivateKey spKey, X509Certificate spCert,
      String postedSamlResponse, SentRequest sentFromSession) throws Exception {
    Clock clock = Clock.systemUTC();
    IdpMetadata idp = IdpMetadata.parse(Files.readAllBytes(Path.of("idp-metadata.xml")));  // no signing key: error
    SamlServiceProvider sp = SamlServiceProvider.builder(
            "https://app.example/saml", URI.create("https://app.example/saml/acs"), idp)
        .signingKey(spKey, spCert)                               // needed when the IdP wants signed requests
        .replayCache(JdbcReplayCache.builder(dataSource).clock(clock).build())  // shared by every node
        .listener(event -> System.out.println(event.type() + " " + event.reason()))
        .clock(clock)
        .build();
    SamlRedirect go = sp.authnRequestRedirect("/after-login");   // 302 to go.location(); keep go.request()
    SentRequest sent = go.request();
    // ... later, on POST /saml/acs with the form field SAMLResponse:
    return sp.validate(postedSamlResponse, sentFromSession != null ? sentFromSession : sent);  // or SsoRefusedException
  }

  static VerifiedIdentity oidc(URI callbackTheBrowserArrivedOn) throws Exception {
    ProviderMetadata op = ProviderMetadata.discover(URI.create("https://login.example/realms/acme"), Duration.ofSeconds(5));
    OidcRelyingParty rp = OidcRelyingParty.builder(op, "app", URI.create("https://app.example/oidc/callback"))
        .clientSecret(System.getenv("OIDC_CLIENT_SECRET"))        // or .privateKeyJwt(key, kid)
        .fetchUserInfo()
        .build();
    AuthorizationStart start = rp.begin();                       // 302 to start.location()
    PendingAuthorization pending = start.pending();              // keep server-side: holds the PKCE verifier
    OidcSignIn in = rp.complete(callbackTheBrowserArrivedOn, pending);
    return in.identity();                                        // rp.logout(in, returnTo, state) to sign out
  }

  private QuickStartExample() {}
}
