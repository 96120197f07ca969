package server

import "net/http"

// subscriptionRoutes registers the subscription endpoints. TODO(subscription helper): replace this file.
func (s *Server) subscriptionRoutes(mux *http.ServeMux) {}
