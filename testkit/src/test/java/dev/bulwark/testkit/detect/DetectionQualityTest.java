package dev.bulwark.testkit.detect;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.detect.Assessment;
import dev.bulwark.detect.Detection;
import dev.bulwark.detect.Detector;
import dev.bulwark.detect.RiskReason;
import dev.bulwark.detect.RiskLevel;
import dev.bulwark.testkit.detect.SyntheticTraffic.Label;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Precision and recall of the detectors at their default thresholds on the labelled synthetic
 * traffic (about 1.3 million events; the table goes to detect/README.md).
 *
 * <p>Recall of a kind: the share of its events assessed MEDIUM or higher (by any detector).
 * Precision of a kind: of the events a detector of that kind flagged at MEDIUM or higher, the share
 * that are attacks (of any kind); the rest are benign users who would have been stepped up.
 * The seed is {@code -Dbulwark.seed} (default below); failures print it.
 */
class DetectionQualityTest {

  static final Map<Label, Detection> DETECTOR = Map.of(Label.BRUTE_FORCE, Detection.BRUTE_FORCE,
      Label.PASSWORD_SPRAYING, Detection.PASSWORD_SPRAYING, Label.CREDENTIAL_STUFFING, Detection.CREDENTIAL_STUFFING,
      Label.IMPOSSIBLE_TRAVEL, Detection.IMPOSSIBLE_TRAVEL, Label.MFA_FATIGUE, Detection.MFA_FATIGUE,
      Label.SESSION_THEFT, Detection.SESSION_THEFT, Label.SIGNUP_BURST, Detection.SIGNUP_ABUSE);

  @Test
  void defaultThresholds_meetTheGoalsForBruteForceSprayingAndStuffing() {
    long seed = Long.getLong("bulwark.seed", 20261207L);
    Detector detector = Detector.builder().resolver(SyntheticTraffic.resolver()).build();
    Map<Label, long[]> recall = new EnumMap<>(Label.class); // {events, flagged}
    Map<Detection, long[]> precision = new EnumMap<>(Detection.class); // {flagged, of which attacks}
    long events = 0;
    long benign = 0;
    long benignStepUp = 0;
    for (SyntheticTraffic.Labelled l : new SyntheticTraffic(SyntheticTraffic.Settings.DEFAULT, seed)) {
      events++;
      Assessment a = detector.assess(l.event());
      boolean medium = a.level().compareTo(RiskLevel.MEDIUM) >= 0;
      long[] r = recall.computeIfAbsent(l.label(), k -> new long[2]);
      r[0]++;
      r[1] += medium ? 1 : 0;
      if (l.label() == Label.BENIGN) {
        benign++;
        benignStepUp += medium ? 1 : 0;
      }
      for (Detection d : Detection.values()) {
        boolean byD = false;
        for (RiskReason f : a.findings()) {
          byD |= f.detection() == d && f.level().compareTo(RiskLevel.MEDIUM) >= 0;
        }
        if (byD) {
          long[] p = precision.computeIfAbsent(d, k -> new long[2]);
          p[0]++;
          p[1] += l.label() != Label.BENIGN ? 1 : 0;
        }
      }
    }
    StringBuilder table = new StringBuilder(String.format(Locale.ROOT,
        "seed %d, %,d events (%,d benign; %.4f%% of benign events stepped up)%n", seed, events, benign,
        100.0 * benignStepUp / benign));
    table.append("| attack | events | recall | flagged by its detector | precision |\n|---|---:|---:|---:|---:|\n");
    for (Label k : Label.values()) {
      if (k == Label.BENIGN) {
        continue;
      }
      long[] r = recall.getOrDefault(k, new long[2]);
      long[] p = precision.getOrDefault(DETECTOR.get(k), new long[2]);
      table.append(String.format(Locale.ROOT, "| %s | %,d | %.4f | %,d | %.4f |%n", k.name().toLowerCase(Locale.ROOT),
          r[0], ratio(r[1], r[0]), p[0], ratio(p[1], p[0])));
    }
    for (Detection d : new Detection[] {Detection.NEW_CONTEXT}) {
      long[] p = precision.getOrDefault(d, new long[2]);
      table.append(String.format(Locale.ROOT, "| (%s findings at MEDIUM+) | | | %,d | %.4f |%n",
          d.name().toLowerCase(Locale.ROOT), p[0], ratio(p[1], p[0])));
    }
    System.out.println(table);
    assertTrue(events >= 1_000_000, "at least a million events: " + events);
    for (Label k : new Label[] {Label.BRUTE_FORCE, Label.PASSWORD_SPRAYING, Label.CREDENTIAL_STUFFING}) {
      long[] r = recall.get(k);
      long[] p = precision.get(DETECTOR.get(k));
      assertTrue(ratio(r[1], r[0]) >= 0.95, k + " recall below 0.95 (seed " + seed + ")\n" + table);
      assertTrue(ratio(p[1], p[0]) >= 0.99, k + " precision below 0.99 (seed " + seed + ")\n" + table);
    }
  }

  private static double ratio(long a, long b) {
    return b == 0 ? Double.NaN : (double) a / b;
  }
}
