package collector

import (
	"context"
	"net/http"
	"time"

	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/collector/trend"
)

// storeForAPI returns the store for an API request, opening it if no job
// has yet, or nil while it cannot be reached (the API answers 503).
func (e *Exporter) storeForAPI() *store.Store {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := e.store(ctx)
	if err != nil {
		return nil
	}
	return st
}

// Handler serves the exporter's web interface: "/" the landing page,
// "/metrics", "/-/healthy" (200 while the process serves), "/-/ready"
// (200 once a snapshot has been loaded from the store and the start-up
// ingest is done, 503 with what it waits for before) and the
// analysts' trend API under "/api/v1/" (see package trend).
func (e *Exporter) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", e.MetricsHandler())
	mux.HandleFunc("GET /-/healthy", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("Healthy.\n"))
	})
	mux.HandleFunc("GET /-/ready", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if reason := e.NotReadyReason(); reason != "" {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte("Not ready: " + reason + ".\n"))
			return
		}
		w.Write([]byte("Ready.\n"))
	})
	api := &trend.API{Store: e.storeForAPI, Logger: e.logger, MaxInFlight: e.cfg.APIMaxInFlight}
	api.Register(mux)
	mux.Handle("GET /", e.LandingHandler())
	return mux
}
