package dev.bulwark.authn.grant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.testsupport.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class GrantProperties {

  /**
   * For any request/approval/revocation timing and any probe times (with the expiry sweeper run at
   * each), a grant is active exactly inside [approval, min(approval + duration, revocation)).
   */
  @Property(tries = 300)
  void grantIsNeverActiveOutsideItsWindow(
      @ForAll @IntRange(min = 1, max = 480) int durationMinutes,
      @ForAll @IntRange(min = 0, max = 600) int approveAfterMinutes,
      @ForAll boolean revoke,
      @ForAll @IntRange(min = 0, max = 600) int revokeAfterApprovalMinutes,
      @ForAll @Size(min = 1, max = 30) List<@IntRange(min = 0, max = 1200) Integer> probes) throws Exception {
    TestClock clock = new TestClock();
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
  }
}
