package dev.bulwark.audit;

import java.nio.file.Path;

/** Child JVM for {@link HugeSegmentIT}: verifies one file log and prints one summary line. */
public final class VerifyChild {
  private VerifyChild() {}

  public static void main(String[] args) {
    VerificationReport r = AuditVerifier.builder(args[1]).build().verify(FileAuditStore.openReadOnly(Path.of(args[0])));
    long stopped = r.findings().stream().filter(f -> f.message().startsWith("verification could not finish")).count();
    System.out.println("REPORT findings=" + r.findings().size() + " intact=" + r.intact() + " checked=" + r.eventsChecked()
        + " stopped=" + stopped + " codes=" + r.findings().stream().map(f -> f.code().name()).distinct().toList());
  }
}
