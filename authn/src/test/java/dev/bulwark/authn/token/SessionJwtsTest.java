package dev.bulwark.authn.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.authn.Factor;
import dev.bulwark.authn.SecurityEventListener;
import dev.bulwark.authn.session.Session;
import dev.bulwark.testing.FakeClock;
import dev.bulwark.authn.token.TokenException.Reason;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionJwtsTest {

  final FakeClock clock = FakeClock.atDefaultEpoch();
  final SessionJwts jwts = new SessionJwts("https://app.example.com", "app", Duration.ofMinutes(5), clock, SecurityEventListener.NONE);

  Session session() {
    return new Session("0123456789abcdef0123456789abcdef", "alice", AssuranceLevel.AAL2,
        Map.of(Factor.PASSWORD, clock.instant(), Factor.TOTP, clock.instant()), clock.instant(), clock.instant(),
        clock.instant(), Duration.ofHours(1), clock.instant().plus(Duration.ofHours(24)), Optional.empty());
  }

  @Test
  void issueThenValidate() throws Exception {
    SessionClaims c = jwts.validate(jwts.issue(session()));
    assertEquals("alice", c.userId());
    assertEquals(AssuranceLevel.AAL2, c.level());
    assertEquals(Set.of(Factor.PASSWORD, Factor.TOTP), c.factors());
    assertEquals(jwts.currentKeyId(), c.keyId());
  }

  @Test
  void rotation_oldKeyVerifiesUntilItsTokensExpire() throws Exception {
    String old = jwts.issue(session());
    String oldKid = jwts.currentKeyId();
    String newKid = jwts.rotate();
    assertNotEquals(oldKid, newKid);
    assertEquals(oldKid, jwts.validate(old).keyId());
    assertEquals(newKid, jwts.validate(jwts.issue(session())).keyId());
    assertEquals(2, jwts.publicKeys().size());
    clock.advance(Duration.ofMinutes(5).plusSeconds(30));
    assertEquals(Reason.UNKNOWN_KEY, assertThrows(TokenException.class, () -> jwts.validate(old)).reason());
    assertEquals(1, jwts.publicKeys().size());
  }

  @Test
  void expired_andForeignIssuer() throws Exception {
    String t = jwts.issue(session());
    clock.advance(Duration.ofMinutes(5).plusSeconds(30));
    assertEquals(Reason.EXPIRED, assertThrows(TokenException.class, () -> jwts.validate(t)).reason());
    SessionJwts other = new SessionJwts("https://other.example.com", "app", clock);
    other.trust(jwts.publicKeys().get(0), clock.instant().plus(Duration.ofHours(1)));
    String fresh = jwts.issue(session());
    assertEquals(Reason.WRONG_ISSUER, assertThrows(TokenException.class, () -> other.validate(fresh)).reason());
  }

  @Test
  void tokenFromAnotherInstance_isUnknownKey() throws Exception {
    SessionJwts other = new SessionJwts("https://app.example.com", "app", clock);
    assertEquals(Reason.UNKNOWN_KEY, assertThrows(TokenException.class, () -> jwts.validate(other.issue(session()))).reason());
  }

  @Test
  void neverOutlivesTheSession() throws Exception {
    Session s = new Session("0123456789abcdef0123456789abcdef", "alice", AssuranceLevel.AAL2,
        Map.of(Factor.PASSWORD, clock.instant()), clock.instant(), clock.instant(), clock.instant(),
        Duration.ofMinutes(1), clock.instant().plus(Duration.ofMinutes(2)), Optional.empty());
    assertEquals(clock.instant().plus(Duration.ofMinutes(2)), jwts.validate(jwts.issue(s)).expiresAt());
  }
}
