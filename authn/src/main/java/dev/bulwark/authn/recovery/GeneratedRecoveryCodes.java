package dev.bulwark.authn.recovery;

import java.util.List;

/**
 * A freshly generated set of recovery codes, to be shown to the user exactly once; only their
 * hashes are stored. {@link #toString} is redacted; the codes come out only through
 * {@link #codes()}.
 */
public final class GeneratedRecoveryCodes {

  private final List<String> codes;

  GeneratedRecoveryCodes(List<String> codes) {
    this.codes = List.copyOf(codes);
  }

  /** The codes, formatted for display ({@code xxxx-xxxx-xxxx-xxxx}). */
  public List<String> codes() {
    return codes;
  }

  public int size() {
    return codes.size();
  }

  @Override
  public String toString() {
    return "GeneratedRecoveryCodes[" + codes.size() + " codes, <redacted>]";
  }
}
