package dev.bulwark.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.testing.PublicSignatures;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exported packages name no type of Lettuce: only the internal Redis kit, exported to the
 * modules whose Redis stores are built on it, does.
 */
class PublicApiTest {

  @Test
  void publicAndProtectedSignatures_nameNoForeignType() {
    assertEquals(List.of(), PublicSignatures.naming(Bytes.class, "dev.bulwark.common", List.of("io.lettuce.", "io.netty.")));
  }
}
