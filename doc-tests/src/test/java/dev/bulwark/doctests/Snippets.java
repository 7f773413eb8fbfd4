package dev.bulwark.doctests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finds the Java examples of the READMEs and of the javadoc of a checkout. */
final class Snippets {

  /** Directories never searched: build output, version control, the IDE's. */
  private static final Set<String> SKIPPED = Set.of("target", ".git", ".idea", "node_modules", ".mvn");

  private static final Pattern FENCE_OPEN = Pattern.compile("^\\s*```java\\s*$");
  private static final Pattern FENCE_CLOSE = Pattern.compile("^\\s*```\\s*$");
  private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;.*$");
  private static final Pattern IMPORT = Pattern.compile("^import\\s+[\\w.*\\s]+;.*$");

  private Snippets() {}

  /** The checkout's root, as the build passes it (or the working directory's parent). */
  static Path root() {
    String root = System.getProperty("bulwark.root");
    return Path.of(root != null ? root : "..").toAbsolutePath().normalize();
  }

  /** Every {@code ```java} block of every README.md under {@code root}. */
  static List<Snippet> readmes(Path root) {
    List<Snippet> all = new ArrayList<>();
    for (Path readme : files(root, p -> p.getFileName().toString().equals("README.md"))) {
      all.addAll(markdown(root.relativize(readme), read(readme)));
    }
    return all;
  }

  /** The {@code ```java} blocks of one markdown text; {@code source} names it in messages. */
  static List<Snippet> markdown(Path source, List<String> text) {
    List<Snippet> found = new ArrayList<>();
    for (int i = 0; i < text.size(); i++) {
      if (!FENCE_OPEN.matcher(text.get(i)).matches()) {
        continue;
      }
      int start = i + 1;
      int end = start;
      while (end < text.size() && !FENCE_CLOSE.matcher(text.get(end)).matches()) {
        end++;
      }
      if (end == text.size()) {
        throw new IllegalArgumentException(source + ":" + (start) + ": ```java block is never closed");
      }
      found.add(new Snippet(source, start + 1, text.subList(start, end), null, List.of()));
      i = end;
    }
    return found;
  }

  /**
   * Every {@code <pre>{@code ...}</pre>} example in the javadoc of the main sources under {@code
   * root}, except data (a block whose first character is '{', '[' or '<': JSON, XML).
   */
  static List<Snippet> javadoc(Path root) {
    List<Snippet> all = new ArrayList<>();
    for (Path java : files(root, p -> p.toString().endsWith(".java")
        && p.toString().replace('\\', '/').contains("/src/main/java/"))) {
      all.addAll(javadoc(root.relativize(java), read(java)));
    }
    return all;
  }

  /** The code examples of one Java source file; {@code source} names it in messages. */
  static List<Snippet> javadoc(Path source, List<String> text) {
    String pkg = "";
    List<String> imports = new ArrayList<>();
    for (String l : text) {
      var m = PACKAGE.matcher(l);
      if (m.matches()) {
        pkg = m.group(1);
      } else if (IMPORT.matcher(l).matches()) {
        imports.add(l.strip());
      }
    }
    List<Snippet> found = new ArrayList<>();
    for (int i = 0; i < text.size(); i++) {
      String open = uncomment(text.get(i));
      if (!open.endsWith("<pre>{@code")) {
        continue;
      }
      int start = i + 1;
      int end = start;
      while (end < text.size() && !uncomment(text.get(end)).startsWith("}</pre>")) {
        end++;
      }
      if (end == text.size()) {
        throw new IllegalArgumentException(source + ":" + start + ": <pre>{@code is never closed");
      }
      List<String> lines = new ArrayList<>();
      for (String l : text.subList(start, end)) {
        lines.add(uncommentKeepIndent(l));
      }
      String first = lines.stream().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
      if (!(first.startsWith("{") || first.startsWith("[") || first.startsWith("<"))) {
        found.add(new Snippet(source, start + 1, lines, pkg, imports));
      }
      i = end;
    }
    return found;
  }

  private static String uncomment(String line) {
    return uncommentKeepIndent(line).strip();
  }

  /** A javadoc line without its leading blanks, {@code *} and the one blank after it. */
  private static String uncommentKeepIndent(String line) {
    String s = line.stripLeading();
    if (s.startsWith("*")) {
      s = s.substring(1);
      if (s.startsWith(" ")) {
        s = s.substring(1);
      }
    }
    return s.stripTrailing();
  }

  private static List<Path> files(Path root, java.util.function.Predicate<Path> wanted) {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk
          .filter(p -> root.relativize(p).toString().isEmpty() || !skipped(root.relativize(p)))
          .filter(Files::isRegularFile)
          .filter(wanted)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean skipped(Path relative) {
    for (Path part : relative) {
      if (SKIPPED.contains(part.toString())) {
        return true;
      }
    }
    return false;
  }

  private static List<String> read(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
