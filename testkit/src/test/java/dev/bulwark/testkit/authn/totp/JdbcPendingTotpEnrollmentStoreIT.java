package dev.bulwark.testkit.authn.totp;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AuthnStoreException;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.jdbc.JdbcPendingTotpEnrollmentStore;
import dev.bulwark.authn.totp.jdbc.JdbcTotpCredentialStore;
import dev.bulwark.authn.totp.spi.PendingTotpEnrollmentStore;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import dev.bulwark.testkit.TwoNodes;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link JdbcPendingTotpEnrollmentStore} on PostgreSQL: the contract on two pooled nodes, confirming
 * into {@link JdbcTotpCredentialStore}.
 */
class JdbcPendingTotpEnrollmentStoreIT extends PendingTotpEnrollmentStoreContract {

  @RegisterExtension
  static final TwoNodes NODES = new TwoNodes("authn_pending", 8);

  @Override
  protected PendingTotpEnrollmentStore createStore(FakeClock clock) throws Exception {
    JdbcPendingTotpEnrollmentStore s = new JdbcPendingTotpEnrollmentStore(NODES.a());
    NODES.truncate("bulwark_authn_totp_pending", "bulwark_authn_totp_credentials");
    return s;
  }

  @Override
  protected PendingTotpEnrollmentStore secondNode() {
    return JdbcPendingTotpEnrollmentStore.builder(NODES.b()).createSchema(false).build();
  }

  @Override
  protected TotpCredentialStore credentialStore() {
    return new JdbcTotpCredentialStore(NODES.a());
  }

  @Test
  void plaintextSeeds_areRefusedForTheDatabaseStore() {
    assertThrows(IllegalStateException.class, () -> TotpAuthenticator.builder(TotpCredentialStore.inMemory(),
        UsedTotpStepStore.inMemory(clock)).pendingEnrollments(store).build());
  }

  @Test
  void outages_areAuthnStoreExceptions() throws Exception {
    try (PostgresSchema other = PostgresSchema.create("authn_pendgone")) {
      JdbcPendingTotpEnrollmentStore s = new JdbcPendingTotpEnrollmentStore(other.dataSource());
      other.execute("DROP TABLE bulwark_authn_totp_pending");
      assertThrows(AuthnStoreException.class, () -> s.find("alice", clock.instant()));
      assertThrows(AuthnStoreException.class, () -> s.reserveAttempt("alice", clock.instant(), 5));
      assertThrows(AuthnStoreException.class, () -> s.complete("alice", "totp-1", clock.instant()));
      assertThrows(AuthnStoreException.class, () -> s.save(pending("alice", "totp-1", Duration.ofMinutes(1))));
      AuthnStoreException e = assertThrows(AuthnStoreException.class,
          () -> JdbcPendingTotpEnrollmentStore.builder(other.dataSource()).createSchema(false).build());
      assertTrue(e.getMessage().contains("db/migration/bulwark-authn/"), e.getMessage());
    }
  }
}
