package dev.bulwark.doctests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code <pre>{@code ...}</pre>} example in the main sources' javadoc compiles against the
 * library modules, seeing the imports of its source file and the public types of its package.
 */
class JavadocSnippetsTest {

  @Test
  void every_javadoc_code_example_compiles(@TempDir Path out) {
    List<Snippet> snippets = Snippets.javadoc(Snippets.root());
    assertTrue(snippets.size() >= 10, "only " + snippets.size() + " javadoc examples found under " + Snippets.root());
    System.out.println("javadoc snippets compiled: " + snippets.size());
    List<String> problems = SnippetCompiler.compile(snippets, out);
    if (!problems.isEmpty()) {
      System.out.println(SnippetCompiler.describe(problems));
      fail(SnippetCompiler.describe(problems));
    }
  }
}
