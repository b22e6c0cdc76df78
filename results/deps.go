package results

import (
	"path/filepath"

	"github.com/BurntSushi/toml"
)

// Dependencies extracts package versions from recorded lock files
// (Cargo.lock), so that a report can say which tokio a run used without the
// reader digging through the lock file. Unknown files are ignored.
func Dependencies(files []RecordedFile) map[string]string {
	deps := map[string]string{}
	for _, f := range files {
		if filepath.Base(f.Path) != "Cargo.lock" {
			continue
		}
		var lock struct {
			Package []struct {
				Name    string `toml:"name"`
				Version string `toml:"version"`
				Source  string `toml:"source"`
			} `toml:"package"`
		}
		if _, err := toml.Decode(f.Content, &lock); err != nil {
			continue // the file itself is archived; a parse failure loses nothing
		}
		for _, p := range lock.Package {
			if p.Source == "" {
				continue // the experiment's own crate
			}
			if old, ok := deps[p.Name]; ok && old != p.Version {
				deps[p.Name] = old + ", " + p.Version
				continue
			}
			deps[p.Name] = p.Version
		}
	}
	if len(deps) == 0 {
		return nil
	}
	return deps
}
