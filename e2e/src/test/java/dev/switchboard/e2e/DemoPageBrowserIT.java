package dev.switchboard.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.restassured.http.ContentType;

/**
 * The demo page in a real headless Chromium (Debian's, driven by its chromedriver; nothing is
 * downloaded): a customer and an agent, each in a browser of their own, chat through the page; the
 * typing indicator shows, the unread badge changes, and the page recovers by itself after the
 * gateway process is restarted. Screenshots go to {@code target/screenshots/}.
 */
class DemoPageBrowserIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path SHOTS = Paths.get("target", "screenshots");
    private static WebDriver customer;
    private static WebDriver agent;

    @BeforeAll
    static void browsers() throws IOException {
        Suite.start();
        Files.createDirectories(SHOTS);
        customer = browser();
        agent = browser();
    }

    @AfterAll
    static void close() {
        for (WebDriver driver : new WebDriver[] { customer, agent }) {
            if (driver != null) {
                driver.quit();
            }
        }
    }

    private static WebDriver browser() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(Browser.chromium());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--window-size=1280,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Browser.chromedriver().toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static WebDriverWait waitIn(WebDriver driver) {
        return new WebDriverWait(driver, WAIT, Duration.ofMillis(100));
    }

    private static By testId(String id) {
        return By.cssSelector("[data-testid=\"" + id + "\"]");
    }

    private static WebElement find(WebDriver driver, By by) {
        return waitIn(driver).until(d -> {
            List<WebElement> found = d.findElements(by);
            return found.isEmpty() || !found.get(0).isDisplayed() ? null : found.get(0);
        });
    }

    private static String text(WebDriver driver, String testId) {
        List<WebElement> found = driver.findElements(testId(testId));
        return found.isEmpty() ? "" : found.get(0).getText();
    }

    private static void awaitText(WebDriver driver, String testId, java.util.function.Predicate<String> condition, String what) {
        waitIn(driver).withMessage(what).until(d -> condition.test(text(d, testId)));
    }

    private static void awaitState(WebDriver driver, String state) {
        waitIn(driver).withMessage("connection state " + state).until(d -> {
            List<WebElement> badge = d.findElements(testId("connection-state"));
            return !badge.isEmpty() && state.equals(badge.get(0).getAttribute("data-state"));
        });
    }

    private static void screenshot(WebDriver driver, String name) throws IOException {
        Path file = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(file, SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void signIn(WebDriver driver, String username) {
        driver.get(Suite.gateway().httpUrl() + "/");
        find(driver, By.cssSelector("[data-testid=\"user-option\"][data-username=\"" + username + "\"]")).click();
        awaitState(driver, "open");
    }

    private static WebElement ticketItem(WebDriver driver, String title) {
        return waitIn(driver).withMessage("ticket '" + title + "' in the list").until(d -> d
                .findElements(testId("ticket-item")).stream()
                .filter(e -> e.findElements(testId("ticket-title")).stream().anyMatch(t -> t.getText().equals(title)))
                .findFirst().orElse(null));
    }

    private static void openTicket(WebDriver driver, String title) {
        ticketItem(driver, title).click();
        find(driver, testId("ticket-view"));
        find(driver, testId("chat-input"));
    }

    private static void send(WebDriver driver, String text) {
        WebElement input = find(driver, testId("chat-input"));
        input.sendKeys(text);
        find(driver, testId("chat-send")).click();
    }

    private static void awaitMessage(WebDriver driver, String text) {
        waitIn(driver).withMessage("message '" + text + "' shown").until(d -> d.findElements(testId("chat-message-text"))
                .stream().anyMatch(e -> e.getText().equals(text)));
    }

    private static int unread(WebDriver driver) {
        String count = text(driver, "unread-count").trim();
        return count.isEmpty() ? 0 : Integer.parseInt(count.replaceAll("[^0-9]", "").isEmpty() ? "0" : count.replaceAll("[^0-9]", ""));
    }

    @Test
    void aCustomerAndAnAgentChatThroughTheDemoPageAndItSurvivesAGatewayRestart() throws IOException {
        String title = "Browser: my order never arrived";
        signIn(customer, "alice");
        assertThat(text(customer, "current-user")).contains("Alice");
        find(customer, testId("new-ticket-title")).sendKeys(title);
        find(customer, testId("new-ticket-description")).sendKeys("Ordered two weeks ago, still nothing.");
        find(customer, testId("new-ticket-submit")).click();
        ticketItem(customer, title);

        signIn(agent, "dana");
        openTicket(agent, title); // in dana's list: the initial load or, live, ticket_created
        openTicket(customer, title);
        screenshot(customer, "01-customer-ticket");

        // Typing shows on the other side.
        find(customer, testId("chat-input")).sendKeys("Hello");
        awaitText(agent, "typing-indicator", t -> t.contains("Alice") && t.contains("typing"), "typing indicator at the agent");
        screenshot(agent, "02-agent-sees-typing");
        find(customer, testId("chat-send")).click();
        awaitMessage(agent, "Hello");
        awaitMessage(customer, "Hello");

        // The agent answers and moves the ticket on: the customer's unread badge changes.
        int unreadBefore = unread(customer);
        send(agent, "Hi Alice, I am on it.");
        awaitMessage(customer, "Hi Alice, I am on it.");
        new org.openqa.selenium.support.ui.Select(find(agent, testId("status-select"))).selectByValue("IN_PROGRESS");
        waitIn(customer).withMessage("the customer's unread count goes up").until(d -> unread(d) > unreadBefore);
        waitIn(customer).withMessage("the ticket's status shows live").until(d -> ticketItem(d, title)
                .findElement(testId("ticket-status")).getText().toUpperCase().replace(' ', '_').contains("IN_PROGRESS"));
        screenshot(customer, "03-customer-chat-and-badge");

        // The gateway restarts (a deploy): both pages reconnect by themselves and recover what was sent meanwhile.
        String danaToken = given().baseUri(Suite.gateway().httpUrl()).contentType(ContentType.JSON)
                .body(Map.of("username", "dana")).post("/api/v1/dev/login").then().statusCode(200).extract().path("token");
        String ticketId = ticketItem(customer, title).getAttribute("data-ticket-id");
        Suite.restartGateway();
        given().baseUri(Suite.chatUrl()).auth().oauth2(danaToken).contentType(ContentType.JSON)
                .body(Map.of("message", "Sent while the gateway was restarting")).post("/api/v1/tickets/" + ticketId + "/messages")
                .then().statusCode(201);
        awaitState(customer, "open");
        awaitState(agent, "open");
        awaitMessage(customer, "Sent while the gateway was restarting");
        send(customer, "Back after the restart");
        awaitMessage(agent, "Back after the restart");
        screenshot(customer, "04-customer-after-restart");
        screenshot(agent, "05-agent-after-restart");

        for (WebDriver driver : new WebDriver[] { customer, agent }) {
            List<LogEntry> errors = driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                    // the page logs nothing itself; the browser reports the refused reconnects while the gateway is down
                    .filter(e -> !e.getMessage().contains("/ws") && !e.getMessage().contains("ERR_CONNECTION_REFUSED"))
                    .toList();
            assertThat(errors).as("errors in the browser console").isEmpty();
        }
        Object messages = ((JavascriptExecutor) customer).executeScript(
                "return document.querySelectorAll('[data-testid=\"chat-message\"]').length");
        assertThat(((Number) messages).intValue()).isGreaterThanOrEqualTo(4);
    }
}
