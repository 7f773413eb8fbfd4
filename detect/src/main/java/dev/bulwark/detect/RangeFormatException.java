package dev.bulwark.detect;

import java.io.IOException;

/** A range file, an index file or a range API response is malformed; the message says where. */
public class RangeFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public RangeFormatException(String message) {
    super(message);
  }
}
