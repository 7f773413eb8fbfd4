package dev.bulwark.authn.grant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrantProperties {

  /**
   * For any request/approval/revocation timing and any probe times (with the expiry sweeper run at
   * each), a grant is active exactly inside [approval, min(approval + duration, revocation)).
   */
  @Test
  void grantIsNeverActiveOutsideItsWindow() {
    PropertyRunner.forAll(300, c -> {
      int durationMinutes = c.draw("durationMinutes", Generators.ints(1, 480));
      int approveAfterMinutes = c.draw("approveAfterMinutes", Generators.ints(0, 600));
      boolean revoke = c.draw("revoke", Generators.booleans());
      int revokeAfterApprovalMinutes = c.draw("revokeAfterApprovalMinutes", Generators.ints(0, 600));
      List<Integer> probes = c.draw("probes", Generators.lists(Generators.ints(0, 1200), 1, 30));
      FakeClock clock = FakeClock.atDefaultEpoch();
      Instant t0 = clock.instant();
      Grants grants = new Grants(new InMemoryGrantStore(), GrantPolicy.defaults(), clock, SecurityEventListener.NONE);
      Grant g = grants.request("bob", "role:x", "why", Duration.ofMinutes(durationMinutes));
      Instant from = t0.plus(Duration.ofMinutes(approveAfterMinutes));
      Instant until = from.plus(Duration.ofMinutes(durationMinutes));
      Instant revokeAt = from.plus(Duration.ofMinutes(revokeAfterApprovalMinutes));
      boolean approved = false;
      boolean revoked = !revoke;
      for (int p : probes.stream().sorted().toList()) { // time only moves forward
        Instant now = t0.plus(Duration.ofMinutes(p));
        if (!approved && !now.isBefore(from)) {
          clock.set(from);
          grants.approve(g.id(), "alice");
          approved = true;
        }
        if (approved && !revoked && !now.isBefore(revokeAt)) {
          clock.set(revokeAt);
          try {
            grants.revoke(g.id(), "alice");
            if (revokeAt.isBefore(until)) {
              until = revokeAt;
            }
          } catch (GrantException e) {
            assertEquals(GrantException.Reason.WRONG_STATE, e.reason()); // already expired by the sweeper
          }
          revoked = true;
        }
        clock.set(now);
        boolean expected = approved && !now.isBefore(from) && now.isBefore(until);
        assertEquals(expected, grants.mayNow("bob", "role:x"), "at " + p);
        grants.expireDue();
        assertEquals(expected, grants.mayNow("bob", "role:x"), "after sweep at " + p);
      }
    });
  }
}
