package dev.bulwark.authn.password;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.password.PasswordPolicy.BreachVerdict;
import dev.bulwark.authn.password.PasswordPolicy.OnSourceFailure;
import dev.bulwark.authn.password.PasswordPolicy.Result;
import dev.bulwark.authn.password.PasswordPolicy.Violation;
import dev.bulwark.authn.password.spi.BreachedPasswordSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The breached-password hook of {@link PasswordPolicy}: threshold, failure modes, login check. */
class PasswordPolicyBreachTest {

  private static final String BREACHED = "correct horse battery staple";
  private static final String RARE = "seen three times only, long enough";

  static String sha1Hex(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
  }

  /** A corpus by SHA-1 hex; records every hash it was asked about. */
  static final class Corpus implements BreachedPasswordSource {
    final Map<String, Long> counts;
    final List<byte[]> asked = new ArrayList<>();

    Corpus(Map<String, Long> counts) {
      this.counts = counts;
    }

    @Override
    public long timesSeen(byte[] sha1) {
      asked.add(sha1.clone());
      return counts.getOrDefault(HexFormat.of().formatHex(sha1), 0L);
    }
  }

  private Corpus corpus() throws Exception {
    return new Corpus(Map.of(sha1Hex(BREACHED), 3_645_804L, sha1Hex(RARE), 3L));
  }

  @Test
  void knownBreachedPassword_isRefused_withItsReasonAndCount() throws Exception {
    Corpus c = corpus();
    PasswordPolicy p = PasswordPolicy.nist().withBreachedPasswords(c, 10);
    Result r = p.check(BREACHED, false);
    assertFalse(r.accepted());
    assertTrue(r.decided());
    assertEquals(List.of(Violation.BREACHED), r.violations());
    assertEquals(BreachVerdict.BREACHED, r.breach());
    assertEquals(3_645_804L, r.timesSeen());
    // Only the 20-byte SHA-1 reached the source.
    assertEquals(1, c.asked.size());
    assertArrayEquals(HexFormat.of().parseHex(sha1Hex(BREACHED)), c.asked.get(0));
    Result fine = p.check("a long passphrase nobody has used", false);
    assertTrue(fine.accepted());
    assertEquals(BreachVerdict.NOT_BREACHED, fine.breach());
    assertEquals(0, fine.timesSeen());
  }

  @Test
  void threshold_isRespected() throws Exception {
    assertTrue(PasswordPolicy.nist().withBreachedPasswords(corpus(), 10).check(RARE, false).accepted(),
        "seen 3 times, threshold 10");
    assertEquals(3, PasswordPolicy.nist().withBreachedPasswords(corpus(), 10).check(RARE, false).timesSeen());
    Result atThree = PasswordPolicy.nist().withBreachedPasswords(corpus(), 3).check(RARE, false);
    assertEquals(List.of(Violation.BREACHED), atThree.violations());
    assertThrows(IllegalArgumentException.class, () -> PasswordPolicy.nist().withBreachedPasswords(c -> 0, 0));
  }

  @Test
  void theCandidateIsNfkcNormalisedBeforeHashing_likeTheStoredHash() throws Exception {
    Corpus c = corpus();
    // Full-width letters normalise to "correct horse battery staple".
    String fullWidth = "ｃｏｒｒｅｃｔ ｈｏｒｓｅ ｂａｔｔｅｒｙ ｓｔａｐｌｅ";
    assertEquals(List.of(Violation.BREACHED), PasswordPolicy.nist().withBreachedPasswords(c, 1)
        .check(fullWidth, false).violations());
  }

  @Test
  void aSourceThatThrows_isUndecidedByDefault_neverASilentPass() {
    BreachedPasswordSource down = sha1 -> {
      throw new IllegalStateException("range API unreachable");
    };
    Result r = PasswordPolicy.nist().withBreachedPasswords(down, 1).check("a long passphrase nobody has used", false);
    assertFalse(r.accepted(), "undecided is not accepted");
    assertFalse(r.decided());
    assertEquals(List.of(), r.violations(), "nor refused: nothing is wrong with the password itself");
    assertEquals(BreachVerdict.UNDECIDED, r.breach());
    assertEquals(-1, r.timesSeen());
  }

  @Test
  void aSourceThatThrows_failsClosedOrOpen_asConfigured() {
    BreachedPasswordSource down = sha1 -> {
      throw new IllegalStateException("index file unreadable");
    };
    Result closed = PasswordPolicy.nist().withBreachedPasswords(down, 1).onBreachSourceFailure(OnSourceFailure.REFUSE)
        .check("a long passphrase nobody has used", false);
    assertFalse(closed.accepted());
    assertTrue(closed.decided());
    assertEquals(List.of(Violation.BREACH_CHECK_FAILED), closed.violations());
    assertEquals(BreachVerdict.SOURCE_FAILED, closed.breach());
    Result open = PasswordPolicy.nist().withBreachedPasswords(down, 1).onBreachSourceFailure(OnSourceFailure.ACCEPT)
        .check("a long passphrase nobody has used", false);
    assertTrue(open.accepted(), "fail open, as configured");
    assertEquals(BreachVerdict.SOURCE_FAILED, open.breach(), "and the host can see it was not checked");
    // A source answering nonsense has not answered either.
    Result negative = PasswordPolicy.nist().withBreachedPasswords(sha1 -> -1, 1)
        .check("a long passphrase nobody has used", false);
    assertEquals(BreachVerdict.UNDECIDED, negative.breach());
  }

  @Test
  void aRefusedCandidate_isNotSentToTheSource() throws Exception {
    Corpus c = corpus();
    Result shortOne = PasswordPolicy.nist().withBreachedPasswords(c, 1).check("short", false);
    assertEquals(List.of(Violation.TOO_SHORT), shortOne.violations());
    assertEquals(BreachVerdict.NOT_CHECKED, shortOne.breach());
    assertEquals(0, c.asked.size());
  }

  @Test
  void atLogin_onlyWhenEnabled_andOnlyTheBreachCheck() throws Exception {
    Corpus c = corpus();
    PasswordPolicy p = PasswordPolicy.nist().withBreachedPasswords(c, 10);
    assertEquals(BreachVerdict.NOT_CHECKED, p.checkAtLogin(BREACHED).breach());
    assertTrue(p.checkAtLogin(BREACHED).accepted());
    assertEquals(0, c.asked.size(), "not enabled at login: the source is not asked");
    PasswordPolicy atLogin = p.breachCheckAtLogin(true);
    Result r = atLogin.checkAtLogin(BREACHED);
    assertEquals(List.of(Violation.BREACHED), r.violations(), "require a change");
    // Lengths do not apply at login: the password is already set.
    assertTrue(atLogin.checkAtLogin("short").accepted());
    assertEquals(BreachVerdict.NOT_BREACHED, atLogin.checkAtLogin("short").breach());
    assertEquals(BreachVerdict.UNDECIDED, PasswordPolicy.nist().withBreachedPasswords(sha1 -> {
      throw new IllegalStateException("down");
    }, 1).breachCheckAtLogin(true).checkAtLogin(BREACHED).breach());
    assertFalse(atLogin.toString().contains(BREACHED));
    assertTrue(atLogin.toString().contains("breached when seen >= 10 times"), atLogin.toString());
  }
}
