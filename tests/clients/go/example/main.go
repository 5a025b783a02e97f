// Command example calls newscorpus with the generated Go stubs:
//
//	go run . localhost:50051
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	newscorpusv1 "github.com/newscorpus/newscorpus/gen/go/newscorpus/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding/gzip"
	"google.golang.org/grpc/status"
)

func main() {
	address := "localhost:50051"
	if len(os.Args) > 1 {
		address = os.Args[1]
	}
	// grpc 1.33 (Debian 12): WithInsecure. Newer grpc-go:
	// grpc.WithTransportCredentials(insecure.NewCredentials()).
	conn, err := grpc.Dial(address, grpc.WithInsecure(),
		grpc.WithDefaultCallOptions(grpc.UseCompressor(gzip.Name)))
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	client := newscorpusv1.NewCorpusServiceClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	stats, err := client.GetCorpusStats(ctx, &newscorpusv1.GetCorpusStatsRequest{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("articles:", stats.ArticleCount) // uint64

	// Streams: Recv until io.EOF.
	stream, err := client.ListArticles(ctx, &newscorpusv1.ListArticlesRequest{
		View:  newscorpusv1.ArticleView_ARTICLE_VIEW_BASIC,
		Limit: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	var first *newscorpusv1.Article
	for {
		article, err := stream.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		first = article
	}
	article, err := client.GetArticle(ctx, &newscorpusv1.GetArticleRequest{Id: first.Id})
	if err != nil {
		log.Fatal(err)
	}

	// Spans in UTF-8 bytes slice Go strings directly: body[start:end].
	mentions, err := client.ListMentions(ctx, &newscorpusv1.ListMentionsRequest{
		ArticleId:      article.Id,
		OffsetEncoding: newscorpusv1.OffsetEncoding_OFFSET_ENCODING_UTF8,
		Limit:          3,
	})
	if err != nil {
		log.Fatal(err)
	}
	var entityID string
	for {
		m, err := mentions.Recv()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("mention:", article.Body[m.Span.Start:m.Span.End] == m.Text, m.Text, m.Span.Encoding)
		entityID = m.EntityId
	}

	// GetEntity's selector is a oneof: one wrapper type per member.
	entity, err := client.GetEntity(ctx, &newscorpusv1.GetEntityRequest{
		Selector: &newscorpusv1.GetEntityRequest_Id{Id: entityID}, // or GetEntityRequest_Name{Name: "..."}
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("entity:", entity.Id, entity.Name)

	// A quote by the id ListQuotes gives (`<article id>/q<n>`).
	quotes, err := client.ListQuotes(ctx, &newscorpusv1.ListQuotesRequest{Limit: 1})
	if err != nil {
		log.Fatal(err)
	}
	if listed, err := quotes.Recv(); err == nil {
		quote, err := client.GetQuote(ctx, &newscorpusv1.GetQuoteRequest{Id: listed.Id})
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("quote: %s %q\n", quote.Id, quote.SpeakerName)
	}

	// Errors carry google.rpc details; importing errdetails makes Details()
	// decode them. Every newscorpus error has an ErrorInfo with a stable reason.
	_, err = client.GetArticle(ctx, &newscorpusv1.GetArticleRequest{Id: "no-such-article"})
	st := status.Convert(err)
	for _, detail := range st.Details() {
		switch d := detail.(type) {
		case *errdetails.ErrorInfo:
			fmt.Println("error:", st.Code(), d.Domain, d.Reason) // NotFound newscorpus ARTICLE_NOT_FOUND
		case *errdetails.ResourceInfo:
			fmt.Println("resource:", d.ResourceName)
		case *errdetails.BadRequest: // on INVALID_ARGUMENT
			for _, v := range d.FieldViolations {
				fmt.Printf("invalid %s: %s\n", v.Field, v.Description)
			}
		}
	}
}
