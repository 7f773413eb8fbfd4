package dev.bulwark.doctests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The snippet check itself: it finds blocks, reports each failure at its file and line, and can fail. */
class SnippetCompilerTest {

  private static final Path DOC = Path.of("docs", "EXAMPLE.md");

  @Test
  void a_broken_readme_snippet_is_reported_at_its_file_and_line(@TempDir Path out) {
    List<Snippet> snippets = Snippets.markdown(DOC, List.of(
        "# Example",                                   // 1
        "```java",                                     // 2
        "import java.time.Duration;",                  // 3
        "// Given: String name",                       // 4
        "Duration d = Duration.ofSeconds(name.length());", // 5
        "```",                                         // 6
        "Text.",                                       // 7
        "```java",                                     // 8
        "import java.time.Duration;",                  // 9
        "",                                            // 10
        "Duration d = Duration.ofFortnights(2);",      // 11
        "int n = undeclared + 1;",                     // 12
        "```",                                         // 13
        "```text",
        "not java at all {",
        "```"));
    assertEquals(2, snippets.size());
    List<String> problems = SnippetCompiler.compile(snippets, out);
    assertEquals(2, problems.size(), problems::toString);
    assertTrue(problems.get(0).startsWith("docs/EXAMPLE.md:11: error: cannot find symbol"), problems::toString);
    assertTrue(problems.get(1).startsWith("docs/EXAMPLE.md:12: error: cannot find symbol"), problems::toString);
  }

  @Test
  void a_snippet_that_compiles_yields_no_problem(@TempDir Path out) {
    List<Snippet> snippets = Snippets.markdown(DOC, List.of(
        "```java",
        "import java.time.Duration;",
        "// Given: String name, java.util.Map<String, Integer> counts",
        "Duration d = Duration.ofSeconds(name.length() + counts.size());",
        "```",
        "```java",
        "import java.util.List;",
        "record Pair(String a, List<String> b) {}",
        "```",
        "```java",
        "public final class Greeter {",
        "  String greet(String n) { return \"hello \" + n; }",
        "}",
        "```"));
    assertEquals(List.of(), SnippetCompiler.compile(snippets, out));
  }

  @Test
  void an_undeclared_checked_exception_fails_in_a_type_but_not_in_statements(@TempDir Path out) {
    List<Snippet> snippets = Snippets.markdown(DOC, List.of(
        "```java",
        "class Reader {",
        "  byte[] read(java.nio.file.Path p) { return java.nio.file.Files.readAllBytes(p); }",
        "}",
        "```"));
    List<String> problems = SnippetCompiler.compile(snippets, out);
    assertEquals(1, problems.size(), problems::toString);
    assertTrue(problems.get(0).startsWith("docs/EXAMPLE.md:3: error: unreported exception"), problems::toString);
  }

  @Test
  void javadoc_examples_see_their_file_imports_and_package_and_skip_data(@TempDir Path out) {
    Path source = Path.of("x", "src", "main", "java", "dev", "bulwark", "doctests", "Example.java");
    List<Snippet> snippets = Snippets.javadoc(source, List.of(
        "package dev.bulwark.common;",               // 1
        "import java.time.Duration;",                // 2
        "/**",                                       // 3
        " * <pre>{@code",                            // 4
        " * // Given: byte[] raw",                   // 5
        " * Bytes b = Bytes.of(raw);",                // 6
        " * Duration d = Duration.ofDays(b.length());", // 7
        " * Duration e = Duration.ofWeeks(1);",       // 8
        " * }</pre>",
        " * <pre>{@code",
        " * { \"json\": true }",
        " * }</pre>",
        " */",
        "final class Example {}"));
    assertEquals(1, snippets.size());
    List<String> problems = SnippetCompiler.compile(snippets, out);
    assertEquals(1, problems.size(), problems::toString);
    assertTrue(problems.get(0).startsWith(source.toString().replace('\\', '/') + ":8: error: cannot find symbol"),
        problems::toString);
  }
}
