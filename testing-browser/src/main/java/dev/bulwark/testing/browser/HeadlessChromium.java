package dev.bulwark.testing.browser;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium for a browser test of one web application: Debian's {@code /usr/bin/chromium}
 * driven through {@code /usr/bin/chromedriver} (Selenium Manager is never used, so nothing is
 * downloaded), a profile directory of the test's own, a 90-second wait, numbered screenshots under
 * {@code target/screenshots}, and the steps every sign-in test repeats: waiting for a page of the
 * application and signing in on Keycloak's own login page.
 *
 * <p>{@link #start} fails with the {@code apt-get install} line to run when Chromium or
 * chromedriver is missing. {@link #close()} quits the browser. Not thread-safe: one browser per
 * test class (or test), used from the test's thread.
 */
public final class HeadlessChromium implements AutoCloseable {

  /** Debian's Chromium ({@code apt-get install chromium}). */
  public static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  /** Debian's chromedriver ({@code apt-get install chromium-driver}). */
  public static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  /** Where {@link #screenshot} writes, relative to the module being tested. */
  public static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private final ChromeDriver driver;
  private final WebDriverWait wait;
  private final String appBase;
  private final String screenshotPrefix;
  private int shot;

  private HeadlessChromium(ChromeDriver driver, String appBase, String screenshotPrefix) {
    this.driver = driver;
    this.wait = new WebDriverWait(driver, Duration.ofSeconds(90));
    this.appBase = appBase;
    this.screenshotPrefix = screenshotPrefix;
  }

  /**
   * Starts Chromium for the application at {@code appBase} ({@code http://host:port}, the origin
   * {@link #waitForPath} expects), its profile in {@code profileDir}; screenshots are named
   * {@code <screenshotPrefix>NN-<name>.png}.
   */
  public static HeadlessChromium start(String appBase, Path profileDir, String screenshotPrefix) throws IOException {
    Objects.requireNonNull(appBase, "appBase");
    Objects.requireNonNull(screenshotPrefix, "screenshotPrefix");
    requireInstalled();
    // Selenium looks here before it would ask Selenium Manager to download a driver.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--window-size=1200,1000", "--user-data-dir=" + profileDir.toAbsolutePath());
    Files.createDirectories(SCREENSHOTS);
    return new HeadlessChromium(new ChromeDriver(service, options), appBase, screenshotPrefix);
  }

  /**
   * Fails with the {@code apt-get install} line to run when Chromium or chromedriver is missing;
   * a test that starts slow services first calls this before them.
   */
  public static void requireInstalled() {
    if (!Files.isExecutable(CHROMIUM)) {
      throw new IllegalStateException("Chromium is required at " + CHROMIUM + " (apt-get install chromium)");
    }
    if (!Files.isExecutable(CHROMEDRIVER)) {
      throw new IllegalStateException("chromedriver is required at " + CHROMEDRIVER + " (apt-get install chromium-driver)");
    }
  }

  /** The driver, for everything else (virtual authenticators, cookies, navigation). */
  public ChromeDriver driver() {
    return driver;
  }

  /** A wait of 90 seconds on this browser. */
  public WebDriverWait waiter() {
    return wait;
  }

  /** Writes a screenshot of the page, numbered in the order taken. */
  public void screenshot(String name) throws IOException {
    Path file = SCREENSHOTS.resolve(String.format(Locale.ROOT, "%s%02d-%s.png", screenshotPrefix, ++shot, name));
    Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The text of the page's body. */
  public String body() {
    return driver.findElement(By.tagName("body")).getText();
  }

  /**
   * Waits until the browser shows {@code path} of the application; otherwise takes a screenshot and
   * fails with the address and the text the browser shows instead.
   */
  public void waitForPath(String path) {
    try {
      wait.until(d -> {
        String url = d.getCurrentUrl();
        return url != null && url.startsWith(appBase) && URI.create(url).getPath().equals(path);
      });
    } catch (TimeoutException e) {
      try {
        screenshot("timeout-" + path.replace('/', '_'));
      } catch (IOException | RuntimeException ignored) {
        // the assertion below says where the browser is
      }
      throw new AssertionError("expected " + path + " but the browser shows " + driver.getCurrentUrl() + ":\n" + body(), e);
    }
  }

  /**
   * On the way to Keycloak at {@code keycloakBase} (the application's SSO button was just clicked):
   * waits for Keycloak's own login page, types {@code user} and {@code password}, takes screenshot
   * {@code keycloak-login-<name>} and submits. Fails with a screenshot when the browser does not
   * reach Keycloak.
   */
  public void signInOnKeycloak(String keycloakBase, String user, String password, String name) throws IOException {
    try {
      wait.until(d -> d.getCurrentUrl().startsWith(keycloakBase));
    } catch (TimeoutException e) {
      screenshot("no-keycloak-" + name);
      throw new AssertionError("expected Keycloak but the browser shows " + driver.getCurrentUrl() + ":\n" + body(), e);
    }
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("username"))).sendKeys(user);
    driver.findElement(By.id("password")).sendKeys(password);
    screenshot("keycloak-login-" + name);
    driver.findElement(By.id("kc-login")).click();
  }

  /** Quits the browser. */
  @Override
  public void close() {
    driver.quit();
  }
}
