package dev.bulwark.detect.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs a few nullable text fields into one string and back, for records kept in a
 * {@code DetectState}: each field is {@code -} (null) or its length, a colon and the text, so
 * any character may appear in a field. Pure.
 */
public final class Fields {
  private Fields() {}

  public static String join(String... fields) {
    StringBuilder out = new StringBuilder();
    for (String f : fields) {
      if (f == null) {
        out.append('-');
      } else {
        out.append(f.length()).append(':').append(f);
      }
    }
    return out.toString();
  }

  /**
   * The fields of {@code packed}, exactly {@code n} of them.
   *
   * @throws IllegalArgumentException if {@code packed} is not {@code n} packed fields
   */
  public static List<String> split(String packed, int n) {
    List<String> out = new ArrayList<>(n);
    int i = 0;
    while (i < packed.length()) {
      if (packed.charAt(i) == '-') {
        out.add(null);
        i++;
        continue;
      }
      int colon = packed.indexOf(':', i);
      if (colon < 0 || colon == i || colon - i > 9) {
        throw new IllegalArgumentException("not a packed record");
      }
      int len;
      try {
        len = Integer.parseInt(packed, i, colon, 10);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a packed record");
      }
      if (len < 0 || colon + 1 + len > packed.length()) {
        throw new IllegalArgumentException("not a packed record");
      }
      out.add(packed.substring(colon + 1, colon + 1 + len));
      i = colon + 1 + len;
    }
    if (out.size() != n) {
      throw new IllegalArgumentException("not a packed record");
    }
    return out;
  }
}
