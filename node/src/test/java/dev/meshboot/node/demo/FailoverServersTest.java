package dev.meshboot.node.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FailoverServersTest {
    private static final String A = "127.0.0.11:8080";
    private static final String B = "127.0.0.12:8080";
    private static final String C = "127.0.0.13:8080";

    @Test
    void parse_keepsTheOrderAndSkipsWhatIsNoHostPort() {
        assertEquals(List.of(A, B), FailoverServers.parse(A + ",nonsense," + B).all());
        assertThrows(IllegalArgumentException.class, () -> FailoverServers.parse(""));
    }

    @Test
    void failed_movesOnToTheNext_whichStaysCurrent() {
        FailoverServers s = new FailoverServers(List.of(A, B, C));
        assertEquals(Optional.of(A), s.current());
        s.failed(A);
        assertEquals(Optional.of(B), s.current());
        s.failed(A); // a late failure of a server no longer current changes nothing
        assertEquals(Optional.of(B), s.current());
        s.failed(B);
        s.failed(C);
        assertEquals(Optional.of(A), s.current()); // around again: a server that failed once may be back
    }

    @Test
    void avoid_skipsThatServerForTheRestOfTheBoot() {
        FailoverServers s = new FailoverServers(List.of(A, B));
        s.avoid(A);
        assertEquals(Optional.of(B), s.current());
        s.failed(B);
        assertEquals(Optional.of(B), s.current());
        s.avoid(B);
        assertEquals(Optional.empty(), s.current());
    }
}
