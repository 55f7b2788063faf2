// A TLS client that shows one certificate but signs the handshake with another key, as an
// attacker holding only someone's (public) certificate would. curl, openssl and Deno refuse to
// build such a client, so the test suite builds this one with Go's standard library.
//
// Usage: tls_wrong_key_client HOST:PORT CERT.pem KEY.pem CA.pem
// Prints "refused: <error>" when the server ends the handshake, or "answered: <status line>".
package main

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: tls_wrong_key_client HOST:PORT CERT.pem KEY.pem CA.pem")
		os.Exit(2)
	}
	certificate := mustPEM(os.Args[2])
	key, err := x509.ParsePKCS8PrivateKey(mustPEM(os.Args[3]))
	if err != nil {
		fmt.Fprintln(os.Stderr, "key:", err)
		os.Exit(2)
	}
	caText, err := os.ReadFile(os.Args[4])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caText)
	conn, err := tls.Dial("tcp", os.Args[1], &tls.Config{
		RootCAs:    roots,
		ServerName: "localhost",
		// Built by hand, so nothing checks that the key belongs to the certificate.
		Certificates: []tls.Certificate{{Certificate: [][]byte{certificate}, PrivateKey: key}},
	})
	if err != nil {
		fmt.Println("refused:", err)
		return
	}
	defer conn.Close()
	fmt.Fprint(conn, "GET /livez HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
	status, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		// TLS 1.3 clients learn of a refused certificate on their first read.
		fmt.Println("refused:", err)
		return
	}
	fmt.Println("answered:", status)
}

func mustPEM(path string) []byte {
	text, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	block, _ := pem.Decode(text)
	if block == nil {
		fmt.Fprintln(os.Stderr, path, ": no PEM block")
		os.Exit(2)
	}
	return block.Bytes
}
