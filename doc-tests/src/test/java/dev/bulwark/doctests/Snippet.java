package dev.bulwark.doctests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One Java example taken from the documentation, and how it becomes a compilation unit.
 *
 * <p>The convention (README.md, "Documentation"):
 *
 * <ul>
 *   <li>{@code import} lines at the top are the snippet's imports. A javadoc example also sees the
 *       imports of the source file it is written in and every public type of that file's package.
 *   <li>{@code // Given: Type name, Type name} lines name what the host supplies (a data source, a
 *       key from its secret store, ...); they become parameters of the generated method. Text in
 *       parentheses describes a parameter and is not compiled.
 *   <li>A snippet that declares a top-level type (a line starting with {@code class}, {@code
 *       record}, {@code interface}, {@code enum}, possibly after modifiers) is compiled as a
 *       compilation unit; one starting with an annotation is compiled as members of a class; every
 *       other snippet is a block of statements in a method that {@code throws Exception}.
 * </ul>
 *
 * @param source the file the snippet was taken from, relative to the checkout's root
 * @param firstLine the line of {@code source} holding the snippet's first line
 * @param lines the snippet's lines, without javadoc's leading {@code *}
 * @param contextPackage for a javadoc example, the package of its source file; otherwise null
 * @param contextImports for a javadoc example, the import lines of its source file
 */
record Snippet(Path source, int firstLine, List<String> lines, String contextPackage, List<String> contextImports) {

  private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?[\\w.]+(\\.\\*)?\\s*;.*$");
  private static final Pattern GIVEN = Pattern.compile("^//\\s*Given:\\s*(.*)$");
  private static final Pattern PUBLIC_TYPE = Pattern.compile(
      "^public\\s+((abstract|final|sealed|non-sealed|static)\\s+)*(class|record|interface|enum)\\s+(\\w+).*");
  private static final Pattern TYPE = Pattern.compile(
      "^((public|abstract|final|sealed|non-sealed|static)\\s+)*(class|record|interface|enum)\\s+\\w+.*");

  Snippet {
    lines = List.copyOf(lines);
    contextImports = List.copyOf(contextImports);
  }

  /** Where a line of the snippet is, for messages: {@code path:line}. */
  String where(int index) {
    return source.toString().replace('\\', '/') + ":" + (firstLine + index);
  }

  @Override
  public String toString() {
    return where(0);
  }

  /**
   * A generated compilation unit and, per generated line, the snippet line it came from (-1: none).
   * {@code className} is the name its file must have.
   */
  record Unit(String packageName, String className, String text, int[] origin) {

    String qualifiedName() {
      return packageName.isEmpty() ? className : packageName + "." + className;
    }
  }

  /** Wraps the snippet as described in the class comment; {@code className} names the generated class. */
  Unit wrap(String packageName, String className) {
    List<String> out = new ArrayList<>();
    List<Integer> origin = new ArrayList<>();
    if (!packageName.isEmpty()) {
      add(out, origin, "package " + packageName + ";", -1);
    }
    if (contextPackage != null) {
      add(out, origin, "import " + contextPackage + ".*;", -1);
      for (String i : contextImports) {
        add(out, origin, i, -1);
      }
    }
    List<String> given = new ArrayList<>();
    int givenLine = -1;
    int body = 0;
    for (; body < lines.size(); body++) {
      String l = lines.get(body).strip();
      var g = GIVEN.matcher(l);
      if (IMPORT.matcher(l).matches()) {
        add(out, origin, l, body);
      } else if (g.matches()) {
        // "(...)" describes a parameter for the reader; a final '.' ends the sentence.
        String params = g.group(1).replaceAll("\\([^)]*\\)", "").strip();
        given.add(params.endsWith(".") ? params.substring(0, params.length() - 1).strip() : params);
        givenLine = body;
      } else if (!l.isEmpty()) {
        break;
      }
    }
    List<String> rest = lines.subList(body, lines.size());
    boolean types = rest.stream().anyMatch(l -> TYPE.matcher(l).matches());
    boolean members = !types && !rest.isEmpty() && rest.get(0).strip().startsWith("@");
    if (types) {
      if (!given.isEmpty()) {
        throw new IllegalArgumentException(where(givenLine) + ": a snippet declaring a type has no Given line");
      }
      for (int i = 0; i < rest.size(); i++) {
        add(out, origin, rest.get(i), body + i);
      }
      // The snippet's own types are compiled as they are; a public one names the file.
    } else {
      add(out, origin, "@SuppressWarnings(\"unused\")", -1);
      add(out, origin, "abstract class " + className + " {", -1);
      if (!members) {
        add(out, origin, "  void snippet(" + String.join(", ", given) + ") throws Exception {", givenLine);
      } else if (!given.isEmpty()) {
        throw new IllegalArgumentException(where(givenLine) + ": a snippet declaring members has no Given line");
      }
      for (int i = 0; i < rest.size(); i++) {
        add(out, origin, rest.get(i), body + i);
      }
      if (!members) {
        add(out, origin, "  }", -1);
      }
      add(out, origin, "}", -1);
    }
    String fileName = className;
    if (types) {
      for (String l : rest) {
        var m = PUBLIC_TYPE.matcher(l);
        if (m.matches()) {
          fileName = m.group(4);
          break;
        }
      }
    }
    int[] map = new int[origin.size()];
    for (int i = 0; i < map.length; i++) {
      map[i] = origin.get(i);
    }
    return new Unit(packageName, fileName, String.join("\n", out) + "\n", map);
  }

  private static void add(List<String> out, List<Integer> origin, String line, int from) {
    out.add(line);
    origin.add(from);
  }
}
