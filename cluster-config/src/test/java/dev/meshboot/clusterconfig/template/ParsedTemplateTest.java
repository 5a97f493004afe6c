package dev.meshboot.clusterconfig.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParsedTemplateTest {
    private static final TemplateValues VALUES = new TemplateValues(
            Map.of("hostname", "node-01", "address", "10.0.0.5", "prefix", "24", "domain", ""),
            Map.of("dns", List.of("10.0.0.1", "10.0.0.2"), "services", List.of()));

    private static String render(String body) throws TemplateException {
        return ParsedTemplate.parse("t", body, NodeVariables.KNOWN).render(VALUES);
    }

    private static TemplateException refused(String body) {
        return assertThrows(TemplateException.class, () -> ParsedTemplate.parse("net", body, NodeVariables.KNOWN));
    }

    @Test
    void variables_areSubstituted_withOrWithoutSpacesInTheTag() throws Exception {
        assertEquals("Address=10.0.0.5/24\n", render("Address={{ address }}/{{prefix}}\n"));
    }

    @Test
    void each_repeatsItsBodyPerItem_andStandaloneBlockLinesLeaveNoBlankLine() throws Exception {
        assertEquals("[Network]\nDNS=10.0.0.1\nDNS=10.0.0.2\nend\n",
                render("[Network]\n{{#each dns}}\nDNS={{.}}\n{{/each}}\nend\n"));
        assertEquals("dns=10.0.0.1;10.0.0.2;\n", render("dns={{#each dns}}{{.}};{{/each}}\n"));
    }

    @Test
    void if_rendersItsBody_onlyForAPresentNonEmptyValue() throws Exception {
        assertEquals("a\n", render("{{#if gateway}}\nGateway={{gateway}}\n{{/if}}\na\n"), "absent");
        assertEquals("", render("{{#if domain}}Domains={{domain}}{{/if}}"), "empty text");
        assertEquals("", render("{{#if services}}x{{/if}}"), "empty list");
        assertEquals("host node-01", render("{{#if hostname}}host {{hostname}}{{/if}}"));
    }

    @Test
    void unknownVariable_isRefusedAtParse_withTemplateLineAndVariable() {
        TemplateException e = refused("[Network]\nAddress={{address}}\nGateway={{ gatway }}\n");
        assertEquals("net", e.template());
        assertEquals(3, e.line());
        assertEquals("gatway", e.variable());
        assertTrue(e.reason().startsWith("unknown variable (known: address, channel, dns"), e.reason());
        assertEquals("net", refused("{{#each nameservers}}{{.}}{{/each}}").template());
        assertEquals("nameservers", refused("\n{{#each nameservers}}{{.}}{{/each}}").variable());
    }

    @Test
    void optionalVariableOutsideItsIf_isRefusedAtParse() {
        TemplateException e = refused("a\nGateway={{gateway}}\n");
        assertEquals(2, e.line());
        assertEquals("gateway", e.variable());
        assertTrue(e.reason().contains("use it inside {{#if gateway}}"), e.reason());
        assertEquals("gateway", refused("{{#if dns}}{{gateway}}{{/if}}").variable(), "another variable's if");
    }

    @Test
    void textVariableMissingFromTheValues_isARenderError_namingTemplateLineAndVariable() throws Exception {
        ParsedTemplate t = ParsedTemplate.parse("motd", "a\nHello {{hostname}}\n", NodeVariables.KNOWN);
        TemplateException e = assertThrows(TemplateException.class,
                () -> t.render(new TemplateValues(Map.of(), Map.of())));
        assertEquals("motd", e.template());
        assertEquals(2, e.line());
        assertEquals("hostname", e.variable());
        assertTrue(e.getMessage().startsWith("template motd line 2 variable 'hostname': has no value"), e.getMessage());
    }

    @Test
    void between_separatesItems_butNeverFollowsTheLast() throws Exception {
        assertEquals("dns=\"10.0.0.1 10.0.0.2\"", render("dns=\"{{#each dns}}{{.}}{{#between}} {{/between}}{{/each}}\""));
        assertTrue(refused("{{#between}}x{{/between}}").reason().contains("directly inside {{#each}}"));
    }

    @Test
    void syntaxMistakes_areRefused_withTheirLine() {
        assertEquals(2, refused("x\n{{#each dns}}\n{{.}}\n").line(), "unclosed block: the line that opened it");
        assertTrue(refused("{{#each dns}}{{/if}}").reason().contains("does not close {{#each dns}} of line 1"));
        assertTrue(refused("{{/if}}").reason().contains("does not close any open block"));
        assertEquals(3, refused("a\nb\nc {{hostname\n").line());
        assertTrue(refused("{{.}}").reason().contains("only meaningful inside {{#each}}"));
        assertEquals("dns", refused("{{dns}}").variable(), "a list used as text");
        assertEquals("hostname", refused("{{#each hostname}}{{/each}}").variable(), "text walked as a list");
        assertTrue(refused("{{#unless hostname}}{{/unless}}").reason().startsWith("unknown block"));
        assertEquals("a-b", refused("{{a-b}}").variable());
    }

    @Test
    void render_isDeterministic() throws Exception {
        String body = "{{#each dns}}{{.}} {{hostname}}\n{{/each}}";
        assertEquals(render(body), render(body));
        assertEquals("10.0.0.1 node-01\n10.0.0.2 node-01\n", render(body));
    }
}
