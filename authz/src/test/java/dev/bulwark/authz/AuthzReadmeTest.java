package dev.bulwark.authz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import java.io.File;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/** The README's quick start compiles against this module's API. */
class AuthzReadmeTest {

  @Test
  void quickStart_compiles() throws Exception {
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf("```java\n", readme.indexOf("## Quick start"));
    int end = readme.indexOf("```", start + 8);
    assertTrue(start > 0 && end > start, "no java block in the quick start");
    String block = readme.substring(start + 8, end);
    String source = "import dev.bulwark.authz.*;\nimport dev.bulwark.authz.jdbc.*;\nimport java.io.InputStream;\n"
        + "import java.sql.*;\nimport java.time.Instant;\nimport java.util.*;\nimport javax.sql.DataSource;\n"
        + "class QuickStart {\n  void run(DataSource dataSource, InputStream policyFile) throws Exception {\n"
        + block + "  }\n}\n";
    JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///QuickStart.java"),
        JavaFileObject.Kind.SOURCE) {
      @Override
      public CharSequence getCharContent(boolean ignoreEncodingErrors) {
        return source;
      }
    };
    String classpath = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator
        + Path.of(JsonFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Path out = Files.createTempDirectory("quickstart");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    StringWriter errors = new StringWriter();
    boolean ok = javac.getTask(errors, null, null,
        List.of("-classpath", classpath, "-d", out.toString(), "-Xlint:all", "-Werror", "--release", "17"),
        null, List.of(file)).call();
    assertTrue(ok, errors + "\n" + source);
  }
}
