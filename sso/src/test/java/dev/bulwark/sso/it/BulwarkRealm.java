package dev.bulwark.sso.it;

import dev.bulwark.testing.keycloak.LocalKeycloak;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * The one Keycloak of this test JVM, with {@code keycloak/bulwark-realm.json} imported as realm
 * {@code bulwark}: started on first use and shared by the ITs of this package, stopped by
 * {@link LocalKeycloak}'s shutdown hook. Fails with a clear message when the distribution or a
 * Java 21+ runtime for it is missing.
 */
final class BulwarkRealm {

  private static LocalKeycloak keycloak;

  private BulwarkRealm() {}

  /** The running Keycloak, its realm answering. */
  static synchronized LocalKeycloak keycloak() throws Exception {
    if (keycloak == null) {
      String realm;
      try (InputStream in = BulwarkRealm.class.getResourceAsStream("/keycloak/bulwark-realm.json")) {
        realm = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      LocalKeycloak k = LocalKeycloak.start("bulwark", realm);
      k.awaitRealm();
      keycloak = k;
    }
    return keycloak;
  }
}
