package dev.bulwark.audit;

import java.util.Objects;

/**
 * One verifier finding.
 *
 * @param code what was found
 * @param seq sequence number it concerns, or -1 when none
 * @param location where (segment file and offset, row, checkpoint, anchor)
 * @param message human-readable explanation
 */
public record Finding(FindingCode code, long seq, String location, String message) {
  public Finding {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return code.level() + " " + code + (seq >= 0 ? " seq=" + seq : "") + " at " + location + ": " + message;
  }
}
