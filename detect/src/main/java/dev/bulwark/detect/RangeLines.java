package dev.bulwark.detect;

import java.util.ArrayList;
import java.util.List;

/** Parses range text: lines {@code SUFFIX:COUNT} with a 35-hex-digit suffix. Pure. */
final class RangeLines {
  private RangeLines() {}

  /** One entry: the 18 hash bytes after the first two (the prefix's last nibble included) and the count. */
  record Entry(byte[] tail, long count) {}

  /**
   * Entries of one range; padding lines (count 0) are dropped.
   *
   * @param prefix the range's 5 hex digits (upper case)
   * @param where file name or URL, for messages
   */
  static List<Entry> parse(String prefix, String text, String where) throws RangeFormatException {
    List<Entry> out = new ArrayList<>();
    int lineNo = 0;
    for (String raw : text.split("\n", -1)) {
      lineNo++;
      String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      if (line.isEmpty()) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon != 35 || line.length() > 35 + 1 + 19) {
        throw new RangeFormatException(where + " line " + lineNo + ": expected 35 hex digits, ':' and a count");
      }
      long count;
      try {
        count = Long.parseLong(line.substring(36));
      } catch (NumberFormatException e) {
        throw new RangeFormatException(where + " line " + lineNo + ": count is not a number");
      }
      if (count < 0) {
        throw new RangeFormatException(where + " line " + lineNo + ": negative count");
      }
      byte[] hash = new byte[20];
      String hex = prefix + line.substring(0, 35);
      for (int i = 0; i < 40; i++) {
        int d = Character.digit(hex.charAt(i), 16);
        if (d < 0) {
          throw new RangeFormatException(where + " line " + lineNo + ": not hexadecimal");
        }
        hash[i / 2] |= (byte) (i % 2 == 0 ? d << 4 : d);
      }
      if (count > 0) {
        out.add(new Entry(java.util.Arrays.copyOfRange(hash, 2, 20), count));
      }
    }
    return out;
  }
}
