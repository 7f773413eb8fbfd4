package dev.bulwark.authn.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.SecurityEvent;
import dev.bulwark.authn.SecurityEventType;
import dev.bulwark.authn.recovery.spi.RecoveryCodeStore;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

class RecoveryCodesTest {

  private final RecoveryCodeStore store = RecoveryCodeStore.inMemory();
  private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
  private final RecoveryCodes codes = RecoveryCodes.builder(store).clock(() -> Instant.EPOCH).listener(events::add).build();

  @Test
  void generated_codesAre80Bits_unique_andStoredOnlyHashed() {
    GeneratedRecoveryCodes set = codes.regenerate("u1");
    assertEquals(RecoveryCodes.DEFAULT_COUNT, set.size());
    assertEquals(RecoveryCodes.DEFAULT_COUNT, new HashSet<>(set.codes()).size());
    for (String c : set.codes()) {
      assertTrue(c.matches("[a-z2-7]{4}(-[a-z2-7]{4}){3}"), c);
      for (String h : store.hashes("u1")) {
        assertFalse(h.contains(c) || h.contains(c.replace("-", "")));
        assertTrue(h.startsWith("rc1$"));
      }
    }
    assertFalse(set.toString().contains(set.codes().get(0)));
    assertEquals(SecurityEventType.RECOVERY_CODES_REGENERATED, events.get(0).type());
  }

  @Test
  void eachCode_worksOnce_inAnyOrder_andIsForgivingAboutFormat() {
    List<String> set = codes.regenerate("u1").codes();
    assertTrue(codes.redeem("u1", set.get(3).toUpperCase(Locale.ROOT).replace("-", " ")));
    assertFalse(codes.redeem("u1", set.get(3)));
    assertTrue(codes.redeem("u1", set.get(0).replace("-", "")));
    assertEquals(RecoveryCodes.DEFAULT_COUNT - 2, codes.remaining("u1"));
    SecurityEvent used = events.get(events.size() - 1);
    assertEquals(SecurityEventType.RECOVERY_CODE_USED, used.type());
    assertEquals("8", used.details().get("remaining"));
    assertFalse(codes.redeem("u2", set.get(1)), "codes are per account");
  }

  @Test
  void regenerate_invalidatesTheOldSet() {
    List<String> old = codes.regenerate("u1").codes();
    List<String> fresh = codes.regenerate("u1").codes();
    for (String c : old) {
      assertFalse(codes.redeem("u1", c));
    }
    assertTrue(codes.redeem("u1", fresh.get(0)));
  }

  @Test
  void malformedCodes_fail() {
    codes.regenerate("u1");
    for (String bad : new String[] {null, "", "abcd", "abcd-efgh-ijkl-mno1", "abcd-efgh-ijkl-mnop-q", "x".repeat(100), "abcd_efgh_ijkl_mnop"}) {
      assertFalse(codes.redeem("u1", bad), String.valueOf(bad));
    }
    assertThrows(IllegalArgumentException.class, () -> codes.redeem("", "abcd"));
    assertThrows(IllegalArgumentException.class, () -> RecoveryCodes.builder(store).count(0));
  }

  @Test
  void concurrentRedemptions_ofOneCode_succeedOnce() throws Exception {
    String code = codes.regenerate("u1").codes().get(0);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Boolean>> f = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        f.add(pool.submit(() -> codes.redeem("u1", code)));
      }
      int wins = 0;
      for (Future<Boolean> r : f) {
        wins += r.get(30, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertEquals(1, wins);
    } finally {
      pool.shutdownNow();
    }
  }
}
