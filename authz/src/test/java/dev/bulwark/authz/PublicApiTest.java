package dev.bulwark.authz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.bulwark.testing.PublicSignatures;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The exported packages name no type of the libraries this module is built on. */
class PublicApiTest {

  private static final List<String> FOREIGN = List.of(
      "com.nimbusds.", "io.lettuce.", "org.apache.xml.", "com.github.benmanes.", "org.w3c.");

  @Test
  void publicAndProtectedSignatures_nameNoForeignType() {
    assertEquals(List.of(), PublicSignatures.naming(Authorizer.class, "dev.bulwark.authz", FOREIGN));
  }
}
