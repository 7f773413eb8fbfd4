package dev.bulwark.audit;

import java.util.List;

/**
 * The outcome of {@link AuditVerifier#verify}: every finding, and what could not be checked.
 *
 * @param origin the log
 * @param firstSeq first stored sequence number (after retention)
 * @param size number of events the log holds up to (last sequence number + 1)
 * @param eventsChecked records read and checked
 * @param lastCheckpointSize size of the newest valid checkpoint (0 if none)
 * @param findings all findings, in the order found
 * @param notChecked what this verification could not establish (no key, no anchor, ...)
 */
public record VerificationReport(String origin, long firstSeq, long size, long eventsChecked,
    long lastCheckpointSize, List<Finding> findings, List<String> notChecked) {

  public VerificationReport {
    findings = List.copyOf(findings);
    notChecked = List.copyOf(notChecked);
  }

  /** True when there is no ERROR finding. Read {@link #notChecked()} before relying on it. */
  public boolean intact() {
    return findings.stream().noneMatch(f -> f.code().level() == FindingCode.Level.ERROR);
  }

  /** True when intact and nothing was left unchecked (signed, keyed and anchored). */
  public boolean fullyVerified() {
    return intact() && notChecked.isEmpty();
  }

  public boolean has(FindingCode code) {
    return findings.stream().anyMatch(f -> f.code() == code);
  }

  /** A multi-line summary for logs and the CLI. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(origin).append(": ").append(intact() ? "INTACT" : "NOT INTACT").append(", events [")
        .append(firstSeq).append(", ").append(size).append("), ").append(eventsChecked).append(" checked, last checkpoint ")
        .append(lastCheckpointSize).append('\n');
    for (Finding f : findings) {
      sb.append("  ").append(f).append('\n');
    }
    for (String n : notChecked) {
      sb.append("  NOT CHECKED: ").append(n).append('\n');
    }
    return sb.toString();
  }
}
