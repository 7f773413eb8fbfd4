package dev.bulwark.doctests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every {@code ```java} block of every README.md compiles, as written, against the library modules. */
class ReadmeSnippetsTest {

  @Test
  void every_readme_java_block_compiles(@TempDir Path out) {
    List<Snippet> snippets = Snippets.readmes(Snippets.root());
    // The root README's quick start alone has several blocks: finding none means the search is broken.
    assertTrue(snippets.stream().anyMatch(s -> s.source().equals(Path.of("README.md"))),
        "no ```java block found in README.md under " + Snippets.root());
    System.out.println("README snippets compiled: " + snippets.size());
    List<String> problems = SnippetCompiler.compile(snippets, out);
    if (!problems.isEmpty()) {
      System.out.println(SnippetCompiler.describe(problems));
      fail(SnippetCompiler.describe(problems));
    }
  }
}
