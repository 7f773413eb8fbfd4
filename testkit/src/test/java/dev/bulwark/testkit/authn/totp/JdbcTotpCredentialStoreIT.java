package dev.bulwark.testkit.authn.totp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AuthnStoreException;
import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.TotpCredential;
import dev.bulwark.authn.totp.TotpEnrollment;
import dev.bulwark.authn.totp.TotpSettings;
import dev.bulwark.authn.totp.jdbc.JdbcTotpCredentialStore;
import dev.bulwark.authn.totp.spi.SeedProtector;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import dev.bulwark.testkit.TwoNodes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link JdbcTotpCredentialStore} on PostgreSQL: the contract on two pooled nodes, and what reaches the table. */
class JdbcTotpCredentialStoreIT extends TotpCredentialStoreContract {

  @RegisterExtension
  static final TwoNodes NODES = new TwoNodes("authn_totpcred", 8);

  @Override
  protected TotpCredentialStore createStore(FakeClock clock) throws Exception {
    JdbcTotpCredentialStore s = new JdbcTotpCredentialStore(NODES.a());
    NODES.truncate("bulwark_authn_totp_credentials");
    return s;
  }

  @Override
  protected TotpCredentialStore secondNode() {
    return JdbcTotpCredentialStore.builder(NODES.b()).createSchema(false).build();
  }

  /** The seed column holds the protector's ciphertext: not the seed, and different for the same seed twice. */
  @Test
  void theTable_holdsOnlyTheProtectorsOutput() throws Exception {
    TotpAuthenticator totp = TotpAuthenticator.builder(store, UsedTotpStepStore.inMemory(clock))
        .seedProtector(TotpTestProtector.create()).clock(clock).build();
    TotpEnrollment e = totp.beginEnrollment("dave", "Example", "dave@example.com");
    assertTrue(totp.confirmEnrollment(e, codeAt(e, clock.instant())));
    byte[] seed = e.uri().secret().copyBytes();
    try (Connection c = NODES.a().getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT protected_seed, credential_id FROM bulwark_authn_totp_credentials"
            + " WHERE account_id = 'dave'")) {
      assertTrue(rs.next());
      byte[] stored = rs.getBytes(1);
      assertEquals(e.credentialId(), rs.getString(2));
      assertFalse(java.util.Arrays.equals(seed, stored));
      assertEquals(12 + seed.length + 16, stored.length, "nonce + ciphertext + tag");
      for (int i = 0; i + 8 <= seed.length; i++) {
        assertFalse(contains(stored, java.util.Arrays.copyOfRange(seed, i, i + 8)), "8 bytes of the seed in the table");
      }
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (java.util.Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return true;
      }
    }
    return false;
  }

  /** Bulwark refuses to send seeds to the database in the clear. */
  @Test
  void plaintextSeeds_areRefusedForTheDatabaseStore() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> TotpAuthenticator.builder(store, UsedTotpStepStore.inMemory(clock)).build());
    assertTrue(e.getMessage().contains("SeedProtector"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> TotpAuthenticator.builder(store, UsedTotpStepStore.inMemory(clock))
        .seedProtector(SeedProtector.PLAINTEXT).build());
  }

  /** An id the column cannot hold is refused before the database; a database failure is an AuthnStoreException. */
  @Test
  void badInput_andOutages_areTyped() throws Exception {
    assertThrows(IllegalArgumentException.class, () -> store.save(new TotpCredential("a".repeat(256), "totp-x",
        new byte[] {1}, TotpSettings.DEFAULT, clock.instant())));
    try (PostgresSchema other = PostgresSchema.create("authn_credgone")) {
      JdbcTotpCredentialStore s = new JdbcTotpCredentialStore(other.dataSource());
      other.execute("DROP TABLE bulwark_authn_totp_credentials");
      assertThrows(AuthnStoreException.class, () -> s.find("alice"));
      assertThrows(AuthnStoreException.class, () -> s.save(new TotpCredential("alice", "totp-1", new byte[] {1},
          TotpSettings.DEFAULT, clock.instant())));
      AuthnStoreException e = assertThrows(AuthnStoreException.class,
          () -> JdbcTotpCredentialStore.builder(other.dataSource()).createSchema(false).build());
      assertTrue(e.getMessage().contains("db/migration/bulwark-authn/"), e.getMessage());
    }
  }

  /** A row altered in the database to impossible settings reads as a store failure, not as a credential. */
  @Test
  void aCorruptRow_isAStoreFailure() throws Exception {
    store.save(credential("erin", "totp-e", TotpSettings.DEFAULT.withPeriod(Duration.ofSeconds(30))));
    try (Connection c = NODES.a().getConnection(); Statement st = c.createStatement()) {
      st.execute("UPDATE bulwark_authn_totp_credentials SET digits = 12 WHERE account_id = 'erin'");
    }
    assertThrows(AuthnStoreException.class, () -> store.find("erin"));
  }
}
