package dev.bulwark.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.bulwark.testing.signatures.Leaky;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublicSignaturesTest {

  @Test
  void reportsEveryVisibleMemberNamingAForbiddenPackage_andNothingHiddenOrInternal() {
    List<String> found = PublicSignatures.naming(Leaky.class, "dev.bulwark.testing.signatures",
        List.of("java.util.concurrent."));
    assertEquals(List.of(
        "dev.bulwark.testing.signatures.Leaky.<init> names java.util.concurrent.Executor",
        "dev.bulwark.testing.signatures.Leaky.QUEUE names java.util.concurrent.BlockingQueue",
        "dev.bulwark.testing.signatures.Leaky.futures names java.util.concurrent.Future",
        "dev.bulwark.testing.signatures.Leaky.run throws names java.util.concurrent.TimeoutException"), found);
  }

  @Test
  void aCleanApi_yieldsNothing() {
    assertTrue(PublicSignatures.naming(Leaky.class, "dev.bulwark.testing.signatures", List.of("com.example.")).isEmpty());
  }
}
