package dev.bulwark.doctests;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles documentation snippets with javac against the test class path (every library module)
 * and reports each error and warning at the snippet's own file and line.
 */
final class SnippetCompiler {

  private SnippetCompiler() {}

  /** The class path the test runs with: surefire's, else the JVM's. */
  static String testClassPath() {
    String cp = System.getProperty("surefire.test.class.path");
    return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
  }

  /**
   * Compiles every snippet, each in a package of its own, into {@code output}; returns one line per
   * problem, {@code path:line: message}, empty when all compile without warnings.
   */
  static List<String> compile(List<Snippet> snippets, Path output) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no system Java compiler: run the tests on a JDK");
    }
    List<String> problems = new ArrayList<>();
    Map<JavaFileObject, Object[]> units = new IdentityHashMap<>();
    List<JavaFileObject> sources = new ArrayList<>();
    for (int n = 0; n < snippets.size(); n++) {
      Snippet s = snippets.get(n);
      Snippet.Unit unit;
      try {
        unit = s.wrap("doc.snippet" + n, "Snippet" + n);
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
        continue;
      }
      JavaFileObject file = new Source(unit);
      units.put(file, new Object[] {s, unit});
      sources.add(file);
    }
    if (sources.isEmpty()) {
      return problems;
    }
    DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
    List<String> options = List.of(
        "-classpath", testClassPath(),
        "-d", output.toString(),
        "-proc:none",
        "-Xlint:deprecation,removal,unchecked,rawtypes",
        "-Werror",
        "-Xmaxerrs", "10000",
        "-Xmaxwarns", "10000");
    try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
      boolean ok = javac.getTask(null, files, diagnostics, options, null, sources).call();
      for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
        if (d.getKind() == Diagnostic.Kind.NOTE) {
          continue;
        }
        Object[] owner = d.getSource() == null ? null : units.get(d.getSource());
        String message = String.join(" | ", d.getMessage(Locale.ROOT).lines().map(String::strip).toList());
        if (owner == null) {
          if (d.getKind() == Diagnostic.Kind.ERROR || d.getKind() == Diagnostic.Kind.WARNING) {
            problems.add("javac: " + d.getKind() + ": " + message);
          }
          continue;
        }
        Snippet s = (Snippet) owner[0];
        Snippet.Unit unit = (Snippet.Unit) owner[1];
        int line = (int) d.getLineNumber();
        int from = line >= 1 && line <= unit.origin().length ? unit.origin()[line - 1] : -1;
        String where = from >= 0 ? s.where(from) : s.where(0) + " (generated line " + line + ")";
        problems.add(where + ": " + d.getKind().toString().toLowerCase(Locale.ROOT) + ": " + message);
      }
      if (!ok && problems.isEmpty()) {
        problems.add("javac failed without a diagnostic");
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return problems;
  }

  /** A generated unit as javac reads it. */
  private static final class Source extends SimpleJavaFileObject {
    private final Snippet.Unit unit;

    Source(Snippet.Unit unit) {
      super(URI.create("string:///" + unit.packageName().replace('.', '/') + "/" + unit.className()
          + Kind.SOURCE.extension), Kind.SOURCE);
      this.unit = unit;
    }

    @Override
    public CharSequence getCharContent(boolean ignoreEncodingErrors) {
      return unit.text();
    }
  }

  static String describe(List<String> problems) {
    return problems.size() + " documentation snippet problem(s):" + System.lineSeparator()
        + String.join(System.lineSeparator(), problems);
  }
}
