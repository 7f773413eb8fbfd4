package dev.bulwark.cli;

import static dev.bulwark.cli.KeyFixture.concat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.testing.Generators;
import dev.bulwark.testing.PropertyRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class KeysRewrapProperties {

  /** However a pass is cut into runs, every file ends on the new primary, rewritten exactly once. */
  @Test
  void anyInterruptionSchedule_rewrapsEachFileExactlyOnce() {
    PropertyRunner.forAll(12, c -> {
      int n = c.draw("n", Generators.ints(1, 12));
      int pageSize = c.draw("pageSize", Generators.ints(1, 5));
      int perRun = c.draw("perRun", Generators.ints(1, 7));
      Path tmp = Files.createTempDirectory("bulwark-rewrap");
      try {
        KeyFixture k = new KeyFixture(tmp);
        k.writeBlobs(n);
        assertEquals(ExitCode.OK, Cli.run(concat(new String[] {"keys", "rotate"}, k.keyArgs())).code());
        JsonNode last = null;
        for (int run = 0; run < n + 2 && (last == null || !last.get("complete").asBoolean()); run++) {
          Cli.Result r = Cli.run(concat(new String[] {"keys", "rewrap", k.blobs.toString(), "--page-size",
              Integer.toString(pageSize), "--max-items", Integer.toString(perRun), "--json", "--no-progress"}, k.keyArgs()));
          assertEquals(ExitCode.OK, r.code(), r.all());
          last = new ObjectMapper().readTree(r.out());
        }
        assertEquals(true, last.get("complete").asBoolean());
        assertEquals(n, last.get("rewrapped").asLong());
        assertEquals(0, last.get("alreadyCurrent").asLong());
        assertEquals(n, last.get("scanned").asLong());
        for (int i = 0; i < n; i++) {
          assertEquals(2, k.version(i));
          assertEquals("secret " + i, k.decrypt(i));
        }
      } finally {
        delete(tmp);
      }
    });
  }

  static void delete(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
