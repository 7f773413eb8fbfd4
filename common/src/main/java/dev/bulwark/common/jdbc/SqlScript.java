package dev.bulwark.common.jdbc;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a migration file into statements at top-level semicolons. Understands what PostgreSQL
 * migration files contain: {@code --} and nested block comments, single-quoted strings (with
 * {@code ''}), double-quoted identifiers and dollar-quoted bodies ({@code $$ … $$},
 * {@code $tag$ … $tag$}) of functions and {@code DO} blocks.
 */
public final class SqlScript {

  private SqlScript() {}

  /**
   * The statements of {@code script}, trimmed, without the terminating semicolons and without
   * statements that hold only comments.
   *
   * @throws IllegalArgumentException if a quote, a dollar quote or a block comment is not closed
   */
  public static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean code = false;
    int i = 0;
    int n = script.length();
    while (i < n) {
      char c = script.charAt(i);
      if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
        int end = script.indexOf('\n', i);
        i = end < 0 ? n : end;
        continue;
      }
      if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
        int depth = 0;
        int j = i;
        do {
          if (j + 1 >= n) {
            throw new IllegalArgumentException("unterminated block comment");
          }
          if (script.charAt(j) == '/' && script.charAt(j + 1) == '*') {
            depth++;
            j += 2;
          } else if (script.charAt(j) == '*' && script.charAt(j + 1) == '/') {
            depth--;
            j += 2;
          } else {
            j++;
          }
        } while (depth > 0);
        current.append(' ');
        i = j;
        continue;
      }
      if (c == '\'' || c == '"') {
        int j = i + 1;
        while (true) {
          if (j >= n) {
            throw new IllegalArgumentException("unterminated quote");
          }
          if (script.charAt(j) == c) {
            if (j + 1 < n && script.charAt(j + 1) == c) {
              j += 2;
              continue;
            }
            break;
          }
          j++;
        }
        current.append(script, i, j + 1);
        code = true;
        i = j + 1;
        continue;
      }
      if (c == '$') {
        int j = i + 1;
        while (j < n && (Character.isLetterOrDigit(script.charAt(j)) || script.charAt(j) == '_')) {
          j++;
        }
        if (j < n && script.charAt(j) == '$' && (j == i + 1 || !Character.isDigit(script.charAt(i + 1)))) {
          String tag = script.substring(i, j + 1);
          int end = script.indexOf(tag, j + 1);
          if (end < 0) {
            throw new IllegalArgumentException("unterminated dollar quote " + tag);
          }
          current.append(script, i, end + tag.length());
          code = true;
          i = end + tag.length();
          continue;
        }
      }
      if (c == ';') {
        if (code) {
          out.add(current.toString().trim());
        }
        current.setLength(0);
        code = false;
        i++;
        continue;
      }
      current.append(c);
      if (!Character.isWhitespace(c)) {
        code = true;
      }
      i++;
    }
    if (code) {
      out.add(current.toString().trim());
    }
    return List.copyOf(out);
  }
}
