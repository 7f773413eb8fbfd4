package dev.bulwark.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.authn.totp.TotpAuthenticator;
import dev.bulwark.authn.totp.TotpEnrollment;
import dev.bulwark.authn.totp.TotpVerifier;
import dev.bulwark.authn.totp.jdbc.JdbcPendingTotpEnrollmentStore;
import dev.bulwark.authn.totp.jdbc.JdbcTotpCredentialStore;
import dev.bulwark.authn.totp.jdbc.JdbcUsedTotpStepStore;
import dev.bulwark.authn.totp.spi.PendingTotpEnrollmentStore;
import dev.bulwark.authn.totp.spi.TotpCredentialStore;
import dev.bulwark.authn.totp.spi.UsedTotpStepStore;
import dev.bulwark.testing.pg.PostgresSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** With the application's DataSource, TOTP enrolment begun on one node is confirmed on another. */
class BulwarkTotpJdbcAutoConfigurationIT {

  private PostgresSchema db;

  @BeforeEach
  void createSchema() {
    db = PostgresSchema.create("springtotp");
  }

  @AfterEach
  void dropSchema() throws Exception {
    db.close();
  }

  private ApplicationContextRunner node() {
    return BulwarkAutoConfigurationTest.withDataSource(db.dataSource());
  }

  @Test
  void enrolmentBegunOnOneNode_isConfirmedOnAnother_andTheTableHoldsCiphertext() throws Exception {
    AtomicReference<TotpEnrollment> begun = new AtomicReference<>();
    node().run(context -> {
      assertThat(context).hasNotFailed();
      assertThat(context.getBean(TotpCredentialStore.class)).isInstanceOf(JdbcTotpCredentialStore.class);
      assertThat(context.getBean(PendingTotpEnrollmentStore.class)).isInstanceOf(JdbcPendingTotpEnrollmentStore.class);
      assertThat(context.getBean(UsedTotpStepStore.class)).isInstanceOf(JdbcUsedTotpStepStore.class);
      begun.set(context.getBean(TotpAuthenticator.class).beginPendingEnrollment("u-7", "Example", "seven@example.com"));
    });
    TotpEnrollment e = begun.get();
    byte[] seed = e.uri().secret().copyBytes();
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT protected_seed FROM bulwark_authn_totp_pending WHERE account_id = 'u-7'")) {
      assertThat(rs.next()).isTrue();
      byte[] stored = rs.getBytes(1);
      assertThat(stored).isNotEqualTo(seed);
      assertThat(HexFormat.of().formatHex(stored)).doesNotContain(HexFormat.of().formatHex(seed, 0, 8));
    }
    node().run(context -> {
      TotpAuthenticator totp = context.getBean(TotpAuthenticator.class);
      assertThat(totp.pendingEnrollment("u-7").orElseThrow().uri().toUriString()).isEqualTo(e.uri().toUriString());
      String code = new TotpVerifier(e.uri().settings(), UsedTotpStepStore.inMemory(java.time.Clock.systemUTC()),
          java.time.Clock.systemUTC()).codeAt(e.uri().secret(), java.time.Instant.now());
      assertThat(totp.confirmPendingEnrollment("u-7", code)).isTrue();
      assertThat(totp.isEnrolled("u-7")).isTrue();
    });
    try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT protected_seed FROM bulwark_authn_totp_credentials WHERE account_id = 'u-7'")) {
      assertThat(rs.next()).isTrue();
      assertThat(HexFormat.of().formatHex(rs.getBytes(1))).doesNotContain(HexFormat.of().formatHex(seed, 0, 8));
    }
  }
}
