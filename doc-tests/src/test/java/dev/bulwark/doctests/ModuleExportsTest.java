package dev.bulwark.doctests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each library module is a named module that exports exactly its API, {@code spi}, {@code jdbc}
 * and store-adapter packages: every package except the {@code internal} ones. bulwark-common
 * exports its internal package to the Bulwark modules only, and its internal store kits only to
 * the modules whose stores use them. A module that cannot have a
 * module-info.java is listed in {@link #AUTOMATIC} with the reason, and keeps its
 * Automatic-Module-Name. The rule is in README.md, "Modules".
 */
class ModuleExportsTest {

  /** Library modules with a module-info.java: directory name → module name. */
  static final Map<String, String> NAMED = new TreeMap<>(Map.of(
      "common", "dev.bulwark.common",
      "testing", "dev.bulwark.testing",
      "crypto", "dev.bulwark.crypto",
      "authn", "dev.bulwark.authn",
      "audit", "dev.bulwark.audit",
      "detect", "dev.bulwark.detect",
      "lifecycle", "dev.bulwark.lifecycle",
      "ratelimit", "dev.bulwark.ratelimit",
      "authz", "dev.bulwark.authz"));

  /** Library modules that stay automatic modules, and why. */
  static final Map<String, String> AUTOMATIC = Map.of(
      "sso", "com.nimbusds:oauth2-oidc-sdk has neither a module-info nor an Automatic-Module-Name: "
          + "requiring it would bind bulwark-sso to a name derived from the jar's file name");

  /** Who may read bulwark-common's internal package: every other library module. */
  static final Set<String> COMMON_INTERNAL_READERS = Set.of("dev.bulwark.crypto", "dev.bulwark.authn",
      "dev.bulwark.audit", "dev.bulwark.detect", "dev.bulwark.lifecycle", "dev.bulwark.ratelimit",
      "dev.bulwark.authz", "dev.bulwark.sso");

  @Test
  void every_library_module_exports_every_package_but_the_internal_ones() {
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> m : NAMED.entrySet()) {
      Path location = location(m.getKey());
      ModuleDescriptor d = descriptor(location);
      if (d.isAutomatic() || !d.name().equals(m.getValue())) {
        problems.add(m.getKey() + ": expected the named module " + m.getValue() + " at " + location + ", found "
            + (d.isAutomatic() ? "an automatic module " : "") + d.name());
        continue;
      }
      problems.addAll(check(m.getKey(), d, classPackages(location)));
    }
    if (!problems.isEmpty()) {
      fail(problems.size() + " module descriptor problem(s):\n" + String.join("\n", problems));
    }
  }

  @Test
  void a_module_left_automatic_has_no_module_info_and_says_why_in_its_readme() throws IOException {
    for (Map.Entry<String, String> m : AUTOMATIC.entrySet()) {
      Path location = location(m.getKey());
      if (Files.isDirectory(location)) {
        assertFalse(Files.exists(location.resolve("module-info.class")), m.getKey() + " has a module-info");
      } else {
        ModuleDescriptor d = descriptor(location);
        assertTrue(d.isAutomatic(), m.getKey() + " is a named module");
        assertEquals("dev.bulwark." + m.getKey(), d.name());
      }
      String readme = Files.readString(Snippets.root().resolve(m.getKey()).resolve("README.md"));
      assertTrue(readme.contains("Automatic-Module-Name"), m.getKey() + "/README.md does not say why it has no module-info");
    }
    Set<String> all = new TreeSet<>(NAMED.keySet());
    all.addAll(AUTOMATIC.keySet());
    assertEquals(Set.of("common", "testing", "crypto", "authn", "audit", "detect", "lifecycle", "ratelimit", "authz",
        "sso"), all);
  }

  @Test
  void the_check_fails_for_leaked_internal_missing_api_and_stray_qualified_exports() {
    ModuleDescriptor leaky = ModuleDescriptor.newModule("dev.bulwark.example")
        .exports("dev.bulwark.example.internal")
        .exports(Set.of(), "dev.bulwark.example.spi", Set.of("dev.bulwark.other"))
        .opens("dev.bulwark.example.jdbc")
        .packages(Set.of("dev.bulwark.example", "dev.bulwark.example.jdbc"))
        .build();
    List<String> problems = check("example", leaky, Set.of("dev.bulwark.example", "dev.bulwark.example.spi",
        "dev.bulwark.example.jdbc", "dev.bulwark.example.internal"));
    assertEquals(3, problems.size(), problems::toString);
    assertTrue(problems.get(0).contains("missing [dev.bulwark.example, dev.bulwark.example.jdbc, dev.bulwark.example.spi]"), problems::toString);
    assertTrue(problems.get(0).contains("not API [dev.bulwark.example.internal]"), problems::toString);
    assertTrue(problems.get(1).startsWith("example: qualified export"), problems::toString);
    assertTrue(problems.get(2).startsWith("example: opens dev.bulwark.example.jdbc"), problems::toString);
    assertEquals(List.of(), check("example", ModuleDescriptor.newModule("dev.bulwark.example")
        .exports("dev.bulwark.example").exports("dev.bulwark.example.spi").build(),
        Set.of("dev.bulwark.example", "dev.bulwark.example.spi", "dev.bulwark.example.internal")));
  }

  /** What is wrong with one module's descriptor, given the packages that hold its classes. */
  static List<String> check(String dir, ModuleDescriptor d, Set<String> classPackages) {
    List<String> problems = new ArrayList<>();
    Set<String> expected = classPackages.stream().filter(p -> !isInternal(p))
        .collect(Collectors.toCollection(TreeSet::new));
    Set<String> exported = d.exports().stream().filter(e -> !e.isQualified())
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toCollection(TreeSet::new));
    if (!exported.equals(expected)) {
      problems.add(dir + "/src/main/java/module-info.java: exports " + exported + ", expected " + expected
          + " (missing " + minus(expected, exported) + ", not API " + minus(exported, expected) + ")");
    }
    for (ModuleDescriptor.Exports e : d.exports()) {
      if (!e.isQualified()) {
        continue;
      }
      // dev.bulwark.common.internal goes to every module; a store kit under it (internal.jdbc,
      // internal.redis) only to the modules whose stores are built on it.
      boolean allowed = dir.equals("common") && isInternal(e.source())
          && (e.source().equals("dev.bulwark.common.internal") ? e.targets().equals(COMMON_INTERNAL_READERS)
              : !e.targets().isEmpty() && COMMON_INTERNAL_READERS.containsAll(e.targets()));
      if (!allowed) {
        problems.add(dir + ": qualified export " + e + "; only bulwark-common's internal packages are "
            + "exported, to " + new TreeSet<>(COMMON_INTERNAL_READERS) + " or, for a store kit, some of them");
      }
    }
    if (dir.equals("common") && d.exports().stream().noneMatch(ModuleDescriptor.Exports::isQualified)) {
      problems.add("common: dev.bulwark.common.internal must be exported to the Bulwark modules");
    }
    // Nothing is opened: SQL migrations live under db/migration/bulwark-<module>/, which is no
    // Java package, so other modules (JdbcSchema, Flyway, Liquibase) read them without an opens.
    for (ModuleDescriptor.Opens o : d.opens()) {
      problems.add(dir + ": opens " + o.source() + "; no package is opened");
    }
    for (String p : d.packages()) {
      if (p.endsWith(".db.migration")) {
        problems.add(dir + ": " + p + " holds migrations inside a package; put them under db/migration/bulwark-"
            + dir + "/ so that they are not encapsulated");
      }
    }
    return problems;
  }

  static boolean isInternal(String pkg) {
    return Arrays.asList(pkg.split("\\.")).contains("internal");
  }

  private static Set<String> minus(Set<String> a, Set<String> b) {
    Set<String> r = new TreeSet<>(a);
    r.removeAll(b);
    return r;
  }

  /** The module's classes on the test class path: its target/classes or its jar. */
  static Path location(String module) {
    String artifact = "bulwark-" + module + "-";
    for (String entry : SnippetCompiler.testClassPath().split(File.pathSeparator)) {
      Path p = Path.of(entry).toAbsolutePath().normalize();
      boolean classes = p.endsWith(Path.of(module, "target", "classes"));
      boolean jar = p.getFileName() != null && p.getFileName().toString().startsWith(artifact)
          && p.getFileName().toString().endsWith(".jar") && !p.getFileName().toString().contains("-tests");
      if (classes || jar) {
        return p;
      }
    }
    throw new AssertionError("bulwark-" + module + " is not on the test class path");
  }

  private static ModuleDescriptor descriptor(Path location) {
    Set<ModuleReference> found = ModuleFinder.of(location).findAll();
    assertEquals(1, found.size(), "modules at " + location);
    return found.iterator().next().descriptor();
  }

  /** The packages holding at least one class (resource-only directories are not API). */
  private static Set<String> classPackages(Path location) {
    Set<String> packages = new TreeSet<>();
    try {
      if (Files.isDirectory(location)) {
        try (Stream<Path> walk = Files.walk(location)) {
          walk.filter(f -> f.toString().endsWith(".class") && !f.getFileName().toString().equals("module-info.class"))
              .map(f -> location.relativize(f.getParent()).toString().replace(File.separatorChar, '.'))
              .forEach(packages::add);
        }
      } else {
        try (JarFile jar = new JarFile(location.toFile())) {
          jar.stream().map(e -> e.getName())
              .filter(n -> n.endsWith(".class") && !n.endsWith("module-info.class") && !n.startsWith("META-INF/"))
              .map(n -> n.substring(0, n.lastIndexOf('/')).replace('/', '.'))
              .forEach(packages::add);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return packages;
  }
}
