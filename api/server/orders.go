package server

import "net/http"

// orderRoutes registers the order endpoints. TODO(order helper): replace this file.
func (s *Server) orderRoutes(mux *http.ServeMux) {}
