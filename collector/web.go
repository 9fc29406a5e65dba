package collector

import (
	"net/http"
)

// Handler serves the exporter's web interface: "/" the landing page,
// "/metrics", "/-/healthy" (200 while the process serves) and "/-/ready"
// (200 once a snapshot has been loaded from the store, 503 before).
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", e.MetricsHandler())
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("Healthy.\n"))
	})
	mux.HandleFunc("GET /-/ready", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if !e.Ready() {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("Not ready: no snapshot loaded from the store yet.\n"))
			return
		}
		w.Write([]byte("Ready.\n"))
	})
	mux.Handle("GET /", e.LandingHandler())
	return mux
}
