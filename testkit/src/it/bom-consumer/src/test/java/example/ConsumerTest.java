package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.authn.AssuranceLevel;
import dev.bulwark.testing.FakeClock;
import java.io.InputStream;
import java.net.URL;
import java.time.Duration;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/** Compiles and runs against the Bulwark artifacts that the BOM resolved. */
class ConsumerTest {

  @Test
  void bomResolvesEveryModule_withItsModuleName() throws Exception {
    Set<String> names = new TreeSet<>();
    for (URL url : Collections.list(getClass().getClassLoader().getResources("META-INF/MANIFEST.MF"))) {
      try (InputStream in = url.openStream()) {
        String name = new Manifest(in).getMainAttributes().getValue("Automatic-Module-Name");
        if (name != null && name.startsWith("dev.bulwark.")) {
          names.add(name);
        }
      }
    }
    assertEquals(
        Set.of("dev.bulwark.crypto", "dev.bulwark.authn", "dev.bulwark.audit", "dev.bulwark.lifecycle",
            "dev.bulwark.ratelimit", "dev.bulwark.authz", "dev.bulwark.detect", "dev.bulwark.sso",
            "dev.bulwark.testkit", "dev.bulwark.testing", "dev.bulwark.common"),
        names);
  }

  @Test
  void publishedTypesAreUsable() {
    FakeClock clock = FakeClock.atDefaultEpoch();
    clock.advance(Duration.ofDays(1));
    assertEquals("2026-01-02T00:00:00Z", clock.instant().toString());
    assertTrue(AssuranceLevel.AAL2.satisfies(AssuranceLevel.AAL1));
  }
}
