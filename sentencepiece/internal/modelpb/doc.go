// Package modelpb holds the Go types of the SentencePiece ModelProto, the
// protobuf message that a SentencePiece .model file serializes. The code in
// sentencepiece_model.pb.go is generated from sentencepiece_model.proto by
// protoc and protoc-gen-go (google.golang.org/protobuf v1.36.12); run
// go generate after editing the .proto.
package modelpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative sentencepiece_model.proto
