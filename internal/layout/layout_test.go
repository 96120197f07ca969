package layout

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/cardflow/cardflow/"

// deps lists the module's packages that pkgs link (go list -deps).
func deps(t *testing.T, pkgs ...string) []string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list", "-deps"}, pkgs...)...).Output()
	if err != nil {
		t.Fatalf("go list -deps %v: %v", pkgs, err)
	}
	var own []string
	for _, p := range strings.Fields(string(out)) {
		if rest, ok := strings.CutPrefix(p, module); ok {
			own = append(own, rest)
		}
	}
	return own
}

// imports maps each of the module's packages matching pattern to the
// module's packages its code imports (tests too, when withTests).
func imports(t *testing.T, pattern string, withTests bool) map[string][]string {
	t.Helper()
	format := "{{.ImportPath}} {{join .Imports \" \"}}"
	if withTests {
		format += " {{join .TestImports \" \"}} {{join .XTestImports \" \"}}"
	}
	out, err := exec.Command("go", "list", "-f", format, pattern).Output()
	if err != nil {
		t.Fatalf("go list %s: %v", pattern, err)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		p := strings.TrimPrefix(f[0], module)
		m[p] = []string{}
		for _, i := range f[1:] {
			if rest, ok := strings.CutPrefix(i, module); ok && rest != p && !slices.Contains(m[p], rest) {
				m[p] = append(m[p], rest)
			}
		}
	}
	return m
}

func under(p, dir string) bool { return p == dir || strings.HasPrefix(p, dir+"/") }

func TestWorkerLinksNoAPI(t *testing.T) {
	for _, p := range deps(t, "../../worker") {
		if under(p, "api") {
			t.Errorf("the worker links %s", p)
		}
	}
}

func TestAPIAndStarterLinkOnlyTheVaultClient(t *testing.T) {
	for _, p := range deps(t, "../../api", "../../starter") {
		if under(p, "adapters") && !under(p, "adapters/vault") && !under(p, "adapters/internal") {
			t.Errorf("the API or the starter links the adapter %s", p)
		}
	}
}

func TestImportsPointDown(t *testing.T) {
	// Not even a test in internal/ links the API: the system-test harness is
	// tools/testenv.
	for p, is := range imports(t, "../../...", true) {
		for _, i := range is {
			if under(p, "internal") && under(i, "api") {
				t.Errorf("%s (or its test) imports %s: nothing in internal/ imports api/", p, i)
			}
		}
	}
	for p, is := range imports(t, "../../...", false) {
		for _, i := range is {
			switch {
			case p == "payment" || under(p, "payment/"):
				t.Errorf("payment imports %s: it knows nobody", i)
			case under(p, "adapters") && under(i, "adapters") && !under(i, "adapters/internal"):
				t.Errorf("%s imports %s: adapters import nothing of each other", p, i)
			case (p == "order" || p == "subscription" || under(p, "flow")) && (under(i, "adapters") || under(i, "api") || under(i, "internal") || (i == "order" || i == "subscription") && i != p):
				t.Errorf("%s imports %s: a workflow imports payment, flow and activities only", p, i)
			case p == "activities" && (under(i, "adapters") || i == "order" || i == "subscription" || i == "flow"):
				t.Errorf("activities imports %s: it declares what it needs as interfaces", i)
			}
		}
	}
}
