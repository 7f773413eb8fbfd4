package dev.bulwark.testkit.authn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.PurgeSchedule;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.grant.GrantPolicy;
import dev.bulwark.authn.grant.Grants;
import dev.bulwark.authn.grant.jdbc.JdbcGrantStore;
import dev.bulwark.authn.lockout.jdbc.JdbcAttemptStore;
import dev.bulwark.authn.session.Sessions;
import dev.bulwark.authn.session.jdbc.JdbcSessionStore;
import dev.bulwark.authn.totp.jdbc.JdbcUsedTotpStepStore;
import dev.bulwark.authn.webauthn.jdbc.JdbcChallengeStore;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.pg.PostgresSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * One {@link PurgeSchedule} over every PostgreSQL store with expiring rows: after the rows expire,
 * one run removes them from each store (and closes the due grant), and a second run finds nothing.
 */
class PurgeScheduleIT {

  @Test
  void oneRun_purgesEveryStore() throws Exception {
    FakeClock clock = FakeClock.atDefaultEpoch();
    try (PostgresSchema db = PostgresSchema.create("authn_purge")) {
      DataSource ds = db.dataSource();
      JdbcAttemptStore attempts = new JdbcAttemptStore(ds, clock);
      JdbcChallengeStore challenges = new JdbcChallengeStore(ds);
      JdbcSessionStore sessionStore = new JdbcSessionStore(ds);
      JdbcUsedTotpStepStore steps = new JdbcUsedTotpStepStore(ds, clock);
      Grants grants = new Grants(new JdbcGrantStore(ds), GrantPolicy.defaults(), clock, SecurityEventListener.NONE);
      Instant t = clock.instant();

      attempts.recordFailure("a:someone", t, t.plusSeconds(60), Long.MAX_VALUE);
      challenges.put("0123456789abcdef0123456789abcdef", "{}", t.plusSeconds(60), Optional.of("192.0.2.9"));
      Sessions sessions = Sessions.builder(sessionStore).clock(clock).build();
      sessions.create("alice", AssuranceLevel.AAL3, Map.of(Factor.WEBAUTHN, t));
      assertTrue(steps.markUsed("cred-1", 1, t.plusSeconds(60)));
      grants.approve(grants.request("alice", "prod-db", "incident 7", Duration.ofMinutes(30)).id(), "bob");

      PurgeSchedule purge = PurgeSchedule.builder().clock(clock)
          .attempts(attempts).challenges(challenges).sessions(sessionStore).totpSteps(steps).grants(grants)
          .onError((task, e) -> {
            throw new AssertionError(task, e);
          })
          .build();
      assertEquals(Map.of("attempts", 0, "challenges", 0, "sessions", 0, "totp_steps", 0, "grants", 0), purge.runOnce(),
          "nothing has expired yet");
      clock.advance(Duration.ofDays(1));
      assertEquals(Map.of("attempts", 1, "challenges", 1, "sessions", 1, "totp_steps", 1, "grants", 1), purge.runOnce());
      assertEquals(Map.of("attempts", 0, "challenges", 0, "sessions", 0, "totp_steps", 0, "grants", 0), purge.runOnce());
      assertEquals(0, purge.failures());
    }
  }
}
